package dev.thaw.node;

import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.lazy.ChunkAccessListener;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.lazy.LazyMount;
import dev.thaw.snapshot.lazy.PresentedFile;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.ImageInfo;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Root filesystem images this node lacks, shown read-only on the node's FUSE mount
 * ({@link LazyMount}) so that a VM's disk is attached from them at once and the guest reads only
 * the blocks it touches: each chunk comes from the node's {@link ChunkCache}, or from the store on
 * first read, verified against the signed image manifest. One presented file per image, shared by
 * every instance (and every pre-started VMM) of every function that uses it, until the image is
 * evicted or the node closes.
 *
 * <p>A chunk that cannot be had (missing, corrupt, the store gone) fails the guest's read with EIO,
 * never with unverified bytes; the start that sees it fails and counts a fault ({@link #faults}).
 */
final class LazyImages implements AutoCloseable {
    private final LazyMount mount;
    private final ChunkCache chunks;
    /** By image digest. Guarded by this. */
    private final Map<String, Presented> presented = new HashMap<>();
    final AtomicLong lazyImages = new AtomicLong();
    final AtomicLong faults = new AtomicLong();

    LazyImages(LazyMount mount, ChunkCache chunks) {
        this.mount = mount;
        this.chunks = chunks;
    }

    private static final class Presented {
        final ImageInfo image;
        final PresentedFile file;
        int users;
        boolean evicted;

        Presented(ImageInfo image, PresentedFile file) {
            this.image = image;
            this.file = file;
        }
    }

    /** An instance's use of a presented image: its disk is {@link #disk()}; closing releases it. */
    final class Use implements Held {
        private final Presented presented;
        private boolean closed;

        private Use(Presented presented) {
            this.presented = presented;
        }

        /** The presented disk file, to attach read-only. */
        Path disk() {
            return presented.file.path();
        }

        @Override
        public Path dir() {
            return mount.mountPoint();
        }

        @Override
        public boolean lazy() {
            return true;
        }

        @Override
        public long fetchedBytes() {
            return presented.file.fetchedBytes();
        }

        /** Why a read of this image failed (the guest got EIO), if one did. */
        Optional<StoreException> failure() {
            return presented.file.failure();
        }

        @Override
        public void close() {
            synchronized (LazyImages.this) {
                if (closed) {
                    return;
                }
                closed = true;
                presented.users--;
                if (presented.evicted && presented.users == 0) {
                    presented.file.close();
                }
            }
        }
    }

    /**
     * True when the distinct non-zero chunks of {@code image} that the chunk cache lacks fit beside the
     * pinned ones, so the image can be presented.
     */
    boolean fits(ImageInfo image) {
        long need = 0;
        FileEntry disk = image.disk();
        for (int i = 0; i < disk.chunks().size(); i++) {
            if (!ChunkTransfer.isZero(disk, i) && !chunks.contains(disk.chunks().get(i))) {
                need += disk.chunkLength(i);
            }
        }
        return need <= chunks.availableBytes();
    }

    /**
     * Uses the image {@code digest} if it is presented here already and none of its reads failed:
     * its manifest was checked when it was presented, and the store need not be asked again.
     */
    synchronized Optional<Use> useIfPresented(String digest) {
        Presented p = presented.get(digest);
        if (p == null || p.evicted || p.file.failure().isPresent()) {
            return Optional.empty();
        }
        p.users++;
        return Optional.of(new Use(p));
    }

    /**
     * Uses the presented file of {@code image}, presenting it first (its chunks fetched from
     * {@code remote}). A file whose read once failed is replaced by a fresh one, so a start after the
     * store was repaired does not inherit the failure.
     */
    synchronized Use use(SnapshotStore remote, ImageInfo image) {
        Presented p = presented.get(image.digest());
        if (p != null && (p.evicted || p.file.failure().isPresent())) {
            retire(image.digest(), p);
            p = null;
        }
        if (p == null) {
            PresentedFile file = mount.present(ImageInfo.DISK, image.disk(),
                    (index, fetched) -> remote.fetchImageChunk(image, index, fetched), ChunkAccessListener.NONE);
            p = new Presented(image, file);
            presented.put(image.digest(), p);
            lazyImages.incrementAndGet();
        }
        p.users++;
        return new Use(p);
    }

    /** Where the image {@code digest} is presented now, if it is. */
    synchronized Optional<Path> path(String digest) {
        Presented p = presented.get(digest);
        return p == null ? Optional.empty() : Optional.of(p.file.path());
    }

    /** Store bytes read for the image since it was presented, or 0 when it is not presented. */
    synchronized long fetchedBytes(String digest) {
        Presented p = presented.get(digest);
        return p == null ? 0 : p.file.fetchedBytes();
    }

    /**
     * Stops presenting {@code digest} (once no instance uses it) and drops its chunks that no one
     * pins from the chunk cache.
     */
    void evict(String digest) {
        ImageInfo image;
        synchronized (this) {
            Presented p = presented.get(digest);
            if (p == null) {
                return;
            }
            image = p.image;
            retire(digest, p);
        }
        chunks.evict(image.disk().chunks());
    }

    private void retire(String digest, Presented p) {
        presented.remove(digest);
        p.evicted = true;
        if (p.users == 0) {
            p.file.close();
        }
    }

    /** Bytes of each presented image's chunks on this node (zero chunks count: they need no fetch). */
    synchronized Map<String, long[]> presence() {
        Map<String, long[]> out = new HashMap<>();
        for (Map.Entry<String, Presented> e : presented.entrySet()) {
            FileEntry disk = e.getValue().image.disk();
            long here = 0;
            for (int i = 0; i < disk.chunks().size(); i++) {
                if (ChunkTransfer.isZero(disk, i) || chunks.contains(disk.chunks().get(i))) {
                    here += disk.chunkLength(i);
                }
            }
            out.put(e.getKey(), new long[] {here, disk.size()});
        }
        return out;
    }

    /** The first read failure among {@code uses}, if any. */
    static Optional<StoreException> failure(List<Held> uses) {
        for (Held held : uses) {
            if (held instanceof Use use && use.failure().isPresent()) {
                return use.failure();
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        presented.values().forEach(p -> p.file.close());
        presented.clear();
    }
}
