package dev.thaw.node;

import dev.thaw.api.SnapshotFormatException;
import dev.thaw.snapshot.cache.CacheException;
import dev.thaw.snapshot.cache.Filler;
import dev.thaw.snapshot.cache.Lease;
import dev.thaw.snapshot.cache.NodeCache;
import dev.thaw.snapshot.store.FetchReport;
import dev.thaw.snapshot.store.ImageInfo;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.trust.VerificationException;
import dev.thaw.wire.v1.node.CacheKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds a function's root filesystem images on this node: where it built them,
 * in the cache (a base image shared by many functions is fetched once), or in
 * the store by digest. Where the node serves lazily presented files ({@link LazyImages}), an image
 * the node lacks whose manifest is signed by a trusted node is presented instead of fetched whole.
 */
final class NodeImages {
    static final String DISK = "disk";

    private final NodeCache cache;
    private final Path scratch;
    private final Optional<SnapshotStore> store;
    private final NodeCounters counters;
    /** Null where lazy restore is unavailable or off: images are fetched whole. */
    private final LazyImages lazy;

    NodeImages(NodeCache cache, Path scratch, Optional<SnapshotStore> store, NodeCounters counters) {
        this(cache, scratch, store, counters, null);
    }

    NodeImages(NodeCache cache, Path scratch, Optional<SnapshotStore> store, NodeCounters counters, LazyImages lazy) {
        this.cache = cache;
        this.scratch = scratch;
        this.store = store;
        this.counters = counters;
        this.lazy = lazy;
    }

    /** The disks, what pins them, and what fetching them cost. */
    record Resolved(List<Path> disks, List<Held> held, double fetchMs, long fetchedBytes) {
    }

    Resolved resolve(FunctionDeployment deployment) throws NodeStartException {
        return resolve(deployment, TrustedSigners.none());
    }

    /** As {@link #resolve(FunctionDeployment)}, presenting lazily the images whose manifest one of {@code signers} signed. */
    Resolved resolve(FunctionDeployment deployment, TrustedSigners signers) throws NodeStartException {
        if (deployment.imagesHere()) {
            return new Resolved(deployment.spec().disks(), List.of(), 0, 0);
        }
        long started = System.nanoTime();
        AtomicLong fetched = new AtomicLong();
        List<Path> disks = new ArrayList<>();
        List<Held> held = new ArrayList<>();
        try {
            for (String digest : deployment.spec().diskDigests()) {
                Held image = acquire(digest, fetched, signers);
                held.add(image);
                disks.add(image instanceof LazyImages.Use use ? use.disk() : image.dir().resolve(DISK));
            }
        } catch (NodeStartException | RuntimeException e) {
            held.forEach(Held::close);
            throw e;
        }
        return new Resolved(disks, held, (System.nanoTime() - started) / 1e6, fetched.get());
    }

    private Held acquire(String digest, AtomicLong fetched, TrustedSigners signers) throws NodeStartException {
        if (cache != null) {
            Optional<Lease> hit = cache.lookup(CacheKeys.image(digest));
            if (hit.isPresent()) {
                return Held.of(hit.get());
            }
        }
        if (lazy != null) {
            Optional<LazyImages.Use> presented = lazy.useIfPresented(digest);
            if (presented.isPresent()) {
                return presented.get();
            }
        }
        SnapshotStore remote = store.orElseThrow(() -> new NodeStartException(
                "image " + digest + " is not on this node and the node has no remote store"));
        try {
            ImageInfo info = remote.findImage(digest).orElseThrow(() -> new NodeStartException(
                    "image " + digest + " is not in the store " + remote.objectStore().describe() + "; deploy the function again"));
            if (lazy != null) {
                Optional<String> problem = remote.lazyImageProblem(info, signers);
                if (problem.isEmpty() && lazy.fits(info)) {
                    return lazy.use(remote, info);
                }
                // Fetched whole and hashed against its digest instead: bytes no trusted node vouched for chunk
                // by chunk never reach a guest before all of them were checked.
                System.getLogger(NodeImages.class.getName()).log(System.Logger.Level.DEBUG, "image " + digest
                        + " fetched whole: " + problem.orElse("the chunk cache has no room"));
            }
            long bytes = info.files().values().stream().mapToLong(f -> f.size()).sum();
            Filler filler = staging -> {
                FetchReport report = fetchImage(remote, info, staging);
                fetched.addAndGet(report.fetchedBytes());
                return report.fetchedBytes();
            };
            try {
                return Held.fill(cache, scratch, CacheKeys.image(digest), bytes, filler);
            } catch (CacheException noRoom) {
                if (cache == null || noRoom.getCause() != null) {
                    throw noRoom;
                }
                // The cache is full of images in use: this instance gets a private copy instead.
                return Held.fill(null, scratch, CacheKeys.image(digest), bytes, filler);
            }
        } catch (StoreException e) {
            throw failure(digest, e, "fetching image " + digest + " failed: " + e.getMessage());
        } catch (SnapshotFormatException e) {
            throw new NodeStartException("image " + digest + " in the store is unreadable: " + e.getMessage(), e);
        } catch (CacheException e) {
            throw failure(digest, e, "image " + digest + " could not be cached: " + e.getMessage());
        } catch (IOException e) {
            throw failure(digest, e, "image " + digest + " could not be stored on this node: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeStartException("interrupted while fetching image " + digest, e);
        }
    }

    /** An image that failed authentication is counted and named as refused; anything else is {@code otherwise}. */
    private NodeStartException failure(String digest, Exception e, String otherwise) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VerificationException refused) {
                counters.verifyFailed(refused.reason());
                return new NodeStartException("image " + digest + " refused: " + refused.getMessage(), e);
            }
        }
        return new NodeStartException(otherwise, e);
    }

    private static FetchReport fetchImage(SnapshotStore remote, ImageInfo info, Path staging) throws IOException {
        try {
            return remote.fetchImage(info, staging);
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
