package dev.thaw.node;

import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.sandbox.SnapshotCompatibility;
import dev.thaw.sandbox.StartKind;
import dev.thaw.snapshot.cache.CacheEvent;
import dev.thaw.snapshot.cache.CacheException;
import dev.thaw.snapshot.cache.DiskBudget;
import dev.thaw.snapshot.cache.EvictionPolicy;
import dev.thaw.snapshot.cache.Filler;
import dev.thaw.snapshot.cache.Lease;
import dev.thaw.snapshot.cache.NodeCache;
import dev.thaw.snapshot.lazy.ChunkAccessListener;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.workingset.WorkingSetRecorder;
import dev.thaw.snapshot.store.CorruptBundleException;
import dev.thaw.snapshot.store.FetchReport;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.trust.VerificationException;
import dev.thaw.wire.v1.node.CacheKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * A node's instance lifecycle (thesis Algorithms 4.1 to 4.3): every start takes
 * the cheapest tier that works (a clone of a snapshot whose VMM is already
 * started, the local cache, the remote store, a boot), and a boot is followed
 * at once by a snapshot that later starts use. Anything wrong with a cheaper
 * tier (a corrupt or incompatible snapshot, an unreachable store, a full cache)
 * is counted, noted in the start record, and the next tier is tried: a start
 * fails only when a boot fails.
 *
 * <p>Owns its cache and the background publication of snapshots; the driver
 * and the store belong to the caller.
 */
public final class NodeRuntime implements AutoCloseable {
    private static final long UNBOUNDED = Long.MAX_VALUE / 4;
    private static final Logger LOG = System.getLogger(NodeRuntime.class.getName());
    /** {@code THAW_LAZY_RESTORE=off}: remote starts fetch whole snapshots (to compare, or where FUSE misbehaves). */
    private static final boolean LAZY_OFF = "off".equals(System.getenv("THAW_LAZY_RESTORE"));

    private final NodeConfig config;
    private final SandboxDriver driver;
    private final Optional<SnapshotStore> store;
    /** The disk budget the snapshot and image cache and the chunk cache share; null with a budget of 0. */
    private final DiskBudget budget;
    /** Snapshots (and images); null with a budget of 0, when snapshots are fetched per start. */
    private final NodeCache cache;
    /**
     * Images: the same cache, or with a snapshot budget of 0 one without a bound.
     * "Remote without cache" is about snapshots; a node keeps its root
     * filesystem images as any node keeps its container images.
     */
    private final NodeCache imageCache;
    private final NodeImages images;
    private final SnapshotPublisher publisher;
    private final NodeCounters counters = new NodeCounters();
    /** Remote starts that restore at once, fetching memory on first touch; null where FUSE is unavailable. */
    private final LazyRestore lazy;
    /** Remote starts that fetched the whole snapshot because lazy restore was unavailable or had no room. */
    private final AtomicLong wholeFetches = new AtomicLong();
    /** The chunks each lazily started revision's manifest names, for eviction and presence. */
    private final Map<String, SnapshotInfo> lazyManifests = new ConcurrentHashMap<>();
    /** Working sets: recorded on a revision's first lazy start, prefetched on later ones. */
    private final WorkingSets workingSets;
    /** Completes lazily started snapshots into the cache after their first response; null without lazy. */
    private final SnapshotCompleter completer;
    private final RevisionPresence presence;
    /** Images presented lazily on the FUSE mount; null without lazy restore. */
    private final LazyImages lazyImages;
    /** The image digests of each revision started here, for presence. */
    private final Map<String, List<String>> revisionImages = new ConcurrentHashMap<>();

    private NodeRuntime(NodeConfig config, SandboxDriver driver, Optional<SnapshotStore> store, DiskBudget budget,
            NodeCache cache, NodeCache imageCache, LazyRestore lazy) {
        this.config = config;
        this.budget = budget;
        this.driver = driver;
        this.store = store;
        this.cache = cache;
        this.imageCache = imageCache;
        this.lazyImages = lazy == null ? null : new LazyImages(lazy.mount(), lazy.chunks());
        this.images = new NodeImages(imageCache, config.scratchDir(), store, counters, lazyImages);
        this.publisher = new SnapshotPublisher(store, counters);
        this.lazy = lazy;
        this.workingSets = new WorkingSets(config.name());
        if (lazy != null) {
            lazy.setListeners(info -> workingSets.listenerFor(CacheKeys.snapshot(info.function(), info.revision())));
        }
        this.completer = lazy == null ? null
                : new SnapshotCompleter(cache, lazy.chunks(), e -> noteFetchFailure(e, new ArrayList<>()));
        if (cache != null) {
            RevisionPresence whole = CachedSnapshotPresence.following(cache);
            this.presence = lazy == null ? whole : new ChunkPresence(whole);
        } else {
            this.presence = RevisionPresence.NONE;
        }
    }

    /**
     * Opens a node: its cache is rebuilt from disk, leftovers in scratch space removed.
     *
     * @param store the remote store; required in {@link SnapshotMode#REMOTE}
     */
    public static NodeRuntime open(NodeConfig config, SandboxDriver driver, Optional<SnapshotStore> store)
            throws IOException {
        return open(config, driver, store, !LAZY_OFF);
    }

    /**
     * Opens a node, choosing whether remote starts restore lazily (where FUSE is available; see
     * {@link LazyRestore}) or fetch whole snapshots first.
     */
    public static NodeRuntime open(NodeConfig config, SandboxDriver driver, Optional<SnapshotStore> store,
            boolean lazyRestore) throws IOException {
        if (config.mode() == SnapshotMode.REMOTE && store.isEmpty()) {
            throw new IllegalArgumentException("snapshot mode 'remote' needs a remote store");
        }
        FileTrees.deleteTree(config.scratchDir());
        Files.createDirectories(config.scratchDir());
        EvictionPolicy policy = EvictionPolicy.parse(config.cacheEviction());
        // One budget for the snapshot and image cache and the chunk cache together. The chunk cache joins
        // first, so it is asked to evict first: a chunk is cheap to fetch again, and a completed snapshot
        // duplicates the chunks it was made from.
        DiskBudget budget = config.cacheBudgetBytes() > 0 ? DiskBudget.of(config.cacheBudgetBytes()) : null;
        LazyRestore lazy = null;
        if (config.mode() == SnapshotMode.REMOTE && budget != null && lazyRestore) {
            try {
                lazy = LazyRestore.open(config.workDir(), budget, config.scratchDir(), driver);
            } catch (IOException e) {
                LazyRestore.logUnavailable(config.name(), e);
            }
        }
        NodeCache cache;
        NodeCache imageCache;
        try {
            cache = budget != null ? NodeCache.open(config.cacheDir(), budget, policy) : null;
            imageCache = cache != null ? cache : NodeCache.open(config.cacheDir(), UNBOUNDED);
        } catch (IOException | RuntimeException e) {
            if (lazy != null) {
                lazy.close();
            }
            throw e;
        }
        NodeRuntime runtime = new NodeRuntime(config, driver, store, budget, cache, imageCache, lazy);
        if (cache != null) {
            // A snapshot that stops being advertised must stop being restored from too.
            cache.addListener(runtime::onCacheEvent);
        }
        return runtime;
    }

    public NodeConfig config() {
        return config;
    }

    /**
     * Makes a function revision available to other nodes: in remote mode its
     * images go to the store, addressed by digest (a base image already there is skipped).
     */
    public void deploy(FunctionDeployment deployment) throws StoreException {
        if (config.mode() != SnapshotMode.REMOTE || !deployment.imagesHere()) {
            return;
        }
        BootSpec spec = deployment.spec();
        for (int i = 0; i < spec.disks().size(); i++) {
            store.orElseThrow().publishImage(spec.diskDigests().get(i), spec.disks().get(i), config.name());
        }
    }

    /**
     * Starts an instance of the function, from the cheapest tier that works; a snapshot in the
     * store is used only when this node signed it.
     */
    public Instance start(FunctionDeployment deployment) throws NodeStartException {
        return start(deployment, TrustedSigners.none());
    }

    /**
     * Starts an instance of the function, from the cheapest tier that works. A snapshot in the
     * store is used only when signed by one of {@code signers} (the nodes the control plane let
     * publish this revision) or by this node.
     */
    public Instance start(FunctionDeployment deployment, TrustedSigners signers) throws NodeStartException {
        return start(deployment, signers, null);
    }

    /**
     * As {@link #start(FunctionDeployment, TrustedSigners)}, reading the snapshot through {@code via} (the
     * store with peers before it, see {@code dev.thaw.node.peer}) instead of the store; null: the store.
     */
    public Instance start(FunctionDeployment deployment, TrustedSigners signers, SnapshotStore via)
            throws NodeStartException {
        long requested = System.nanoTime();
        List<String> fallbacks = new ArrayList<>();
        // Image manifests are trusted for lazy presentation as snapshots are: signed by these nodes or this one.
        TrustedSigners trusted = store.isPresent() ? signers.and(store.get().ownSigners()) : signers;
        revisionImages.put(snapshotKey(deployment), deployment.spec().diskDigests());
        if (config.mode() != SnapshotMode.DISABLED) {
            Optional<Instance> instance = fromCache(deployment, trusted, requested, fallbacks);
            if (instance.isEmpty() && config.mode() == SnapshotMode.REMOTE) {
                instance = fromStore(deployment, via != null ? via : store.orElseThrow(), trusted, requested,
                        fallbacks);
            }
            if (instance.isPresent()) {
                return instance.get();
            }
        }
        return boot(deployment, trusted, requested, fallbacks);
    }

    private Optional<Instance> fromCache(FunctionDeployment deployment, TrustedSigners signers, long requested,
            List<String> fallbacks) {
        if (cache == null) {
            return Optional.empty();
        }
        Optional<Lease> lease = cache.lookup(snapshotKey(deployment));
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        Held held = Held.of(lease.get());
        workingSets.readAhead(snapshotKey(deployment), held.dir());
        return restore(deployment, signers, held, 0, 0, requested, fallbacks);
    }

    private Optional<Instance> fromStore(FunctionDeployment deployment, SnapshotStore remote, TrustedSigners signers,
            long requested, List<String> fallbacks) {
        Optional<SnapshotInfo> usable = remoteSnapshot(deployment, remote, signers, fallbacks);
        if (usable.isEmpty()) {
            return Optional.empty();
        }
        SnapshotInfo info = usable.get();
        if (lazy != null) {
            if (lazy.fits(info)) {
                return fromStoreLazily(deployment, remote, info, signers, requested, fallbacks);
            }
            fallbacks.add("chunk cache has no room beside chunks in use: snapshot fetched whole");
        }
        wholeFetches.incrementAndGet();
        long started = System.nanoTime();
        AtomicLong fetched = new AtomicLong();
        Filler fetch = fetcher(remote, info, fetched);
        long bytes = info.files().values().stream().mapToLong(SnapshotInfo.FileEntry::size).sum();
        Held held;
        try {
            try {
                held = Held.fill(cache, config.scratchDir(), snapshotKey(deployment), bytes, fetch);
            } catch (CacheException e) {
                if (cache == null || e.getCause() != null) {
                    throw e; // the fetch itself failed: corrupt, unreachable
                }
                // No room in the cache now (entries in use): a restore from an uncached copy still beats a boot.
                counters.cacheRejections.incrementAndGet();
                fallbacks.add("snapshot fetched without caching: " + e.getMessage());
                held = Held.fill(null, config.scratchDir(), snapshotKey(deployment), bytes, fetch);
            }
        } catch (CacheException | IOException e) {
            noteFetchFailure(e, fallbacks);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fallbacks.add("interrupted while fetching the snapshot");
            return Optional.empty();
        }
        double fetchMs = (System.nanoTime() - started) / 1e6;
        return restore(deployment, signers, held, fetchMs, fetched.get(), requested, fallbacks);
    }

    /**
     * Restores at once from the store: device state fetched, memory presented on the node's FUSE
     * mount and fetched on first touch. A failure once the VMM ran (a chunk missing, corrupt, or
     * the store gone) kills the VMM; it is counted and the start falls back to a boot.
     */
    private Optional<Instance> fromStoreLazily(FunctionDeployment deployment, SnapshotStore remote, SnapshotInfo info,
            TrustedSigners signers, long requested, List<String> fallbacks) {
        long started = System.nanoTime();
        String key = snapshotKey(deployment);
        AtomicLong prefetched = new AtomicLong();
        // Before the memory is presented: its working set starts coming in, or this start records it. Looked
        // up while the device state is fetched.
        CompletableFuture<WorkingSets.Plan> planned = workingSets.beforeLazyStartAsync(key, info, remote, signers,
                lazy.chunks(), prefetched);
        AtomicBoolean presented = new AtomicBoolean();
        LazyRestore.Lazy held;
        try {
            lazyManifests.put(key, info);
            held = lazy.prepare(remote, info, () -> {
                presented.set(true);
                return planned.join().pages();
            });
        } catch (StoreException | IOException | InterruptedException e) {
            // The plan is dropped whenever it comes: its recording abandoned, its pages (if never presented) released.
            planned.thenAccept(plan -> {
                plan.recorder().ifPresent(r -> workingSets.abandon(key, r));
                if (!presented.get()) {
                    plan.pages().release();
                }
            });
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                fallbacks.add("interrupted while fetching the snapshot");
            } else {
                noteFetchFailure(e, fallbacks);
            }
            return Optional.empty();
        }
        Optional<WorkingSetRecorder> recorder = planned.join().recorder();
        double fetchMs = (System.nanoTime() - started) / 1e6;
        Held counted = new Held() {
            @Override
            public Path dir() {
                return held.dir();
            }

            @Override
            public boolean lazy() {
                return true;
            }

            @Override
            public long fetchedBytes() {
                return held.fetchedBytes() + prefetched.get();
            }

            @Override
            public void close() {
                // An instance stopped before it ever answered ends its recording, so a later start may record.
                recorder.ifPresent(r -> workingSets.abandon(key, r));
                held.close();
            }
        };
        Optional<Instance> instance = restore(deployment, signers, counted, fetchMs, counted.fetchedBytes(), requested,
                fallbacks, () -> {
                    // The recording ends at the first response, before the rest of the snapshot is fetched.
                    recorder.ifPresent(r -> workingSets.firstResponse(key, r, remote, lazy.chunks()));
                    completer.complete(key, remote, info);
                });
        if (instance.isEmpty()) {
            recorder.ifPresent(r -> workingSets.abandon(key, r));
            lazy.fault(held).ifPresent(e -> noteFetchFailure(e, fallbacks));
        }
        return instance;
    }

    /** Prefetches a snapshot only this node signed; see {@link #prefetch(FunctionDeployment, TrustedSigners)}. */
    public long prefetch(FunctionDeployment deployment) throws InterruptedException {
        return prefetch(deployment, TrustedSigners.none());
    }

    /**
     * Fetches the revision's snapshot into the cache ahead of a predicted start, within the cache's budget (making
     * room as its eviction policy says). The snapshot is verified exactly as a start from the store verifies it:
     * signed by one of {@code signers} or by this node, its files matching their signed digests; a refused one is
     * counted as a start counts it and is not cached. Returns the bytes fetched: 0 when it is cached already, or
     * when there is no cache, no store, no usable (or verifiable) snapshot, or no room (entries in use).
     */
    public long prefetch(FunctionDeployment deployment, TrustedSigners signers) throws InterruptedException {
        if (cache == null || store.isEmpty() || config.mode() != SnapshotMode.REMOTE
                || cache.contains(snapshotKey(deployment))) {
            return 0;
        }
        List<String> problems = new ArrayList<>();
        Optional<SnapshotInfo> usable = remoteSnapshot(deployment, store.get(), signers.and(store.get().ownSigners()),
                problems);
        if (usable.isEmpty()) {
            return 0;
        }
        SnapshotInfo info = usable.get();
        SnapshotStore remote = store.get();
        AtomicLong fetched = new AtomicLong();
        Filler fetch = fetcher(remote, info, fetched);
        long bytes = info.files().values().stream().mapToLong(SnapshotInfo.FileEntry::size).sum();
        try {
            Held.fill(cache, config.scratchDir(), snapshotKey(deployment), bytes, fetch).close();
        } catch (CacheException | IOException e) {
            noteFetchFailure(e, problems);
            return 0;
        }
        return fetched.get();
    }

    /** Fills a cache entry with the snapshot from the store, noting the bytes fetched. */
    private static Filler fetcher(SnapshotStore remote, SnapshotInfo info, AtomicLong fetched) {
        return staging -> {
            FetchReport report = fetchSnapshot(remote, info, staging);
            fetched.set(report.fetchedBytes());
            return report.fetchedBytes();
        };
    }

    /**
     * The store's snapshot of the revision if it has one signed by one of {@code signers} that this node can
     * restore; why not goes to fallbacks.
     */
    private Optional<SnapshotInfo> remoteSnapshot(FunctionDeployment deployment, SnapshotStore remote,
            TrustedSigners signers, List<String> fallbacks) {
        SnapshotInfo info;
        try {
            Optional<SnapshotInfo> found = remote.findSnapshot(deployment.function(), deployment.revision(), signers);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            info = found.get();
        } catch (VerificationException e) {
            counters.verifyFailed(e.reason());
            fallbacks.add("remote snapshot refused: " + e.getMessage());
            LOG.log(Level.WARNING, "remote snapshot of " + deployment.function() + " refused: " + e.getMessage());
            return Optional.empty();
        } catch (StoreException e) {
            counters.storeErrors.incrementAndGet();
            fallbacks.add("remote store: " + e.getMessage());
            return Optional.empty();
        } catch (SnapshotFormatException e) {
            counters.corruptSnapshots.incrementAndGet();
            fallbacks.add("remote snapshot: " + e.getMessage());
            return Optional.empty();
        }
        Optional<String> incompatible = SnapshotCompatibility.problem(info, deployment.spec(), driver.info());
        if (incompatible.isPresent()) {
            counters.incompatibleSnapshots.incrementAndGet();
            fallbacks.add("remote snapshot: " + incompatible.get());
            return Optional.empty();
        }
        return Optional.of(info);
    }

    /**
     * When a lazily presented image of this start failed a read (the guest got EIO), counts the fault
     * and its cause and says what happened; else empty.
     */
    private Optional<String> imageFault(NodeImages.Resolved disks) {
        Optional<StoreException> failure = LazyImages.failure(disks.held());
        if (failure.isEmpty()) {
            return Optional.empty();
        }
        lazyImages.faults.incrementAndGet();
        StoreException e = failure.get();
        if (causeOf(e, CorruptBundleException.class) != null) {
            VerificationException refused = causeOf(e, VerificationException.class);
            counters.verifyFailed(refused != null ? refused.reason() : VerificationException.Reason.CONTENT);
        } else {
            counters.storeErrors.incrementAndGet();
        }
        return Optional.of("lazily presented image failed a read: " + e.getMessage());
    }

    private void noteFetchFailure(Exception e, List<String> fallbacks) {
        if (causeOf(e, CorruptBundleException.class) != null) {
            // Data that does not match its signed digests was tampered with or damaged: the same refusal.
            VerificationException refused = causeOf(e, VerificationException.class);
            counters.verifyFailed(refused != null ? refused.reason() : VerificationException.Reason.CONTENT);
            counters.corruptSnapshots.incrementAndGet();
            fallbacks.add("remote snapshot discarded: " + causeOf(e, CorruptBundleException.class).getMessage());
        } else if (causeOf(e, StoreException.class) != null) {
            counters.storeErrors.incrementAndGet();
            fallbacks.add("remote store: " + causeOf(e, StoreException.class).getMessage());
        } else if (e instanceof CacheException) {
            counters.cacheRejections.incrementAndGet();
            fallbacks.add("snapshot cache: " + e.getMessage());
        } else {
            fallbacks.add("fetching the snapshot failed: " + e.getMessage());
        }
    }

    /** Restores from a snapshot directory this instance will hold; on failure releases it and returns empty. */
    private Optional<Instance> restore(FunctionDeployment deployment, TrustedSigners signers, Held snapshotDir,
            double fetchMs, long fetchedBytes, long requested, List<String> fallbacks) {
        return restore(deployment, signers, snapshotDir, fetchMs, fetchedBytes, requested, fallbacks, () -> { });
    }

    /** @param onFirstResponse runs (on the caller's thread, quickly) once the instance first answered */
    private Optional<Instance> restore(FunctionDeployment deployment, TrustedSigners signers, Held snapshotDir,
            double fetchMs, long fetchedBytes, long requested, List<String> fallbacks, Runnable onFirstResponse) {
        List<AutoCloseable> held = new ArrayList<>(List.of(snapshotDir));
        String key = snapshotKey(deployment);
        try {
            LocalSnapshot snapshot;
            try {
                snapshot = LocalSnapshot.open(snapshotDir.dir());
            } catch (SnapshotFormatException e) {
                counters.corruptSnapshots.incrementAndGet();
                fallbacks.add("cached snapshot discarded: " + e.getMessage());
                closeAll(held);
                forget(key);
                return Optional.empty();
            }
            Optional<String> incompatible = SnapshotCompatibility.problem(snapshot.info(), deployment.spec(),
                    driver.info());
            if (incompatible.isPresent()) {
                counters.incompatibleSnapshots.incrementAndGet();
                fallbacks.add("cached snapshot discarded: " + incompatible.get());
                closeAll(held);
                forget(key);
                return Optional.empty();
            }
            NodeImages.Resolved disks = images.resolve(deployment, signers);
            held.addAll(disks.held());
            BootSpec spec = deployment.spec().withDisks(disks.disks());
            Sandbox sandbox;
            try {
                sandbox = driver.restore(spec, snapshot);
            } catch (SandboxException e) {
                // Kept: the snapshot was verified and fits; a VMM that failed to start says nothing about it.
                counters.restoreFailures.incrementAndGet();
                fallbacks.add("restore failed: " + e.getMessage());
                imageFault(disks).ifPresent(fallbacks::add);
                closeAll(held);
                return Optional.empty();
            }
            Optional<String> imageFault = imageFault(disks);
            if (imageFault.isPresent()) {
                sandbox.close();
                fallbacks.add(imageFault.get());
                closeAll(held);
                return Optional.empty();
            }
            StartTier tier = fetchMs > 0 ? StartTier.REMOTE
                    : sandbox.start().kind() == StartKind.RESTORE_POOLED ? StartTier.CLONE : StartTier.LOCAL;
            counters.starts.get(tier).incrementAndGet();
            long snapshotBytes = snapshotDir.lazy() ? snapshotDir.fetchedBytes() : fetchedBytes;
            StartRecord record = new StartRecord(tier, disks.fetchMs(), disks.fetchedBytes(), fetchMs, snapshotBytes,
                    sandbox.start().totalMs(), snapshot.info().initMs(), 0, (System.nanoTime() - requested) / 1e6,
                    fallbacks);
            if (tier != StartTier.CLONE && !snapshotDir.lazy()) {
                prestart(spec, snapshot);
            }
            return Optional.of(new Instance(deployment, sandbox, record, held, requested,
                    snapshotDir.lazy() ? snapshotDir::fetchedBytes : () -> snapshotBytes, onFirstResponse));
        } catch (NodeStartException e) {
            fallbacks.add(e.getMessage());
            closeAll(held);
            return Optional.empty();
        } catch (RuntimeException e) {
            closeAll(held);
            throw e;
        }
    }

    private Instance boot(FunctionDeployment deployment, TrustedSigners signers, long requested,
            List<String> fallbacks) throws NodeStartException {
        NodeImages.Resolved disks = images.resolve(deployment, signers);
        List<AutoCloseable> held = new ArrayList<>(disks.held());
        BootSpec spec = deployment.spec().withDisks(disks.disks());
        Sandbox sandbox;
        try {
            sandbox = driver.boot(spec);
        } catch (SandboxException e) {
            Optional<String> imageFault = imageFault(disks);
            closeAll(held);
            throw new NodeStartException("booting " + deployment.function() + " failed: " + e.getMessage()
                    + imageFault.map(f -> "; " + f).orElse(""), e);
        }
        Optional<String> imageFault = imageFault(disks);
        if (imageFault.isPresent()) {
            // The guest got EIO instead of unverified bytes; whatever it made of that, it is not served.
            sandbox.close();
            closeAll(held);
            throw new NodeStartException("booting " + deployment.function() + " failed: " + imageFault.get());
        }
        double snapshotMs = 0;
        if (config.mode() != SnapshotMode.DISABLED) {
            long started = System.nanoTime();
            keepSnapshot(deployment, spec, sandbox, fallbacks);
            snapshotMs = (System.nanoTime() - started) / 1e6;
        }
        counters.starts.get(StartTier.BOOT).incrementAndGet();
        StartRecord record = new StartRecord(StartTier.BOOT, disks.fetchMs(), disks.fetchedBytes(), 0, 0,
                sandbox.start().totalMs(), sandbox.start().initMs(), snapshotMs,
                (System.nanoTime() - requested) / 1e6, fallbacks);
        return new Instance(deployment, sandbox, record, held, requested);
    }

    /**
     * Snapshots a freshly booted guest before it serves anything, puts the
     * snapshot in the cache and, in remote mode, publishes it in the background.
     * Failing to do so costs later starts a boot, never this one.
     */
    private void keepSnapshot(FunctionDeployment deployment, BootSpec spec, Sandbox sandbox, List<String> fallbacks) {
        String key = snapshotKey(deployment);
        if (cache != null && cache.contains(key)) {
            return;
        }
        Path taken = config.scratchDir().resolve("snap-" + sandbox.id());
        LocalSnapshot snapshot;
        try {
            snapshot = sandbox.snapshot(taken);
        } catch (SandboxException e) {
            fallbacks.add("no snapshot taken: " + e.getMessage());
            return;
        }
        long bytes = snapshot.info().files().values().stream().mapToLong(SnapshotInfo.FileEntry::size).sum();
        if (cache == null) {
            publisher.publish(snapshot, () -> FileTrees.deleteQuietly(taken));
            return;
        }
        try {
            Lease lease = cache.acquire(key, bytes, staging -> moveInto(taken, staging));
            LocalSnapshot cached = LocalSnapshot.open(lease.dir());
            prestart(spec, cached);
            publisher.publish(cached, lease::close);
        } catch (CacheException | SnapshotFormatException e) {
            counters.cacheRejections.incrementAndGet();
            fallbacks.add("snapshot not cached: " + e.getMessage());
            publisher.publish(snapshot, () -> FileTrees.deleteQuietly(taken));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            FileTrees.deleteQuietly(taken);
        } finally {
            if (Files.exists(taken) && cache.contains(key)) {
                FileTrees.deleteQuietly(taken); // another start of this revision cached its snapshot first
            }
        }
    }

    private static long moveInto(Path from, Path staging) throws IOException {
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.move(file, staging.resolve(file.getFileName()));
            }
        }
        Files.delete(from);
        return 0;
    }

    private void prestart(BootSpec spec, LocalSnapshot snapshot) {
        if (config.prestart() == 0) {
            return;
        }
        try {
            driver.prestart(spec, snapshot, config.prestart());
        } catch (SandboxException e) {
            LOG.log(Level.WARNING, "could not pre-start VMMs for " + snapshot.dir() + ": " + e.getMessage());
        }
    }

    /** Removes a function's snapshots from this node's cache and, in remote mode, from the store. */
    public void delete(String function) throws StoreException {
        evictFunction(function);
        if (config.mode() == SnapshotMode.REMOTE) {
            store.orElseThrow().deleteFunction(function);
        }
    }

    /**
     * Removes a function's snapshots from this node's cache only: with many nodes,
     * each evicts its own copies and the store is cleaned once, by the control plane.
     */
    public void evictFunction(String function) {
        if (cache != null) {
            String prefix = CacheKeys.snapshotsOf(function);
            cache.entries().stream().map(e -> e.key()).filter(k -> k.startsWith(prefix)).forEach(this::forget);
        }
    }

    /**
     * Drops this revision's snapshot from the node's cache (it stays in the store), and the chunks of
     * it that the chunk cache holds and no running instance uses (shared ones included).
     */
    public void evictSnapshot(FunctionDeployment deployment) {
        if (completer != null) {
            completer.cancel(snapshotKey(deployment));
        }
        forget(snapshotKey(deployment));
        SnapshotInfo info = lazyManifests.get(snapshotKey(deployment));
        if (lazy != null && info != null) {
            for (SnapshotInfo.FileEntry entry : info.files().values()) {
                lazy.chunks().evict(entry.chunks());
            }
        }
    }

    /**
     * Presence with lazy restore: a revision whose whole snapshot is cached is all here; else, once a
     * lazy start made its manifest known on this node, the bytes of its chunks the chunk cache holds
     * (zero chunks count as present: they need no fetch), of its files' total size.
     */
    private final class ChunkPresence implements RevisionPresence {
        private final RevisionPresence whole;

        ChunkPresence(RevisionPresence whole) {
            this.whole = whole;
        }

        @Override
        public long presentBytes(String function, String revision) {
            long cached = whole.presentBytes(function, revision);
            if (cached > 0) {
                return cached;
            }
            SnapshotInfo info = lazyManifests.get(CacheKeys.snapshot(function, revision));
            long bytes = images(function, revision)[0];
            if (info == null) {
                return bytes;
            }
            for (SnapshotInfo.FileEntry entry : info.files().values()) {
                for (int i = 0; i < entry.chunks().size(); i++) {
                    if (ChunkTransfer.isZero(entry, i) || lazy.chunks().contains(entry.chunks().get(i))) {
                        bytes += entry.chunkLength(i);
                    }
                }
            }
            return bytes;
        }

        @Override
        public long totalBytes(String function, String revision) {
            long cached = whole.totalBytes(function, revision);
            if (cached > 0) {
                return cached;
            }
            SnapshotInfo info = lazyManifests.get(CacheKeys.snapshot(function, revision));
            return images(function, revision)[1]
                    + (info == null ? 0 : info.files().values().stream().mapToLong(SnapshotInfo.FileEntry::size).sum());
        }

        /** Bytes here and in all of the revision's lazily presented images. */
        private long[] images(String function, String revision) {
            long[] sum = new long[2];
            List<String> digests = revisionImages.get(CacheKeys.snapshot(function, revision));
            if (digests == null || lazyImages == null) {
                return sum;
            }
            Map<String, long[]> presented = lazyImages.presence();
            for (String digest : digests) {
                long[] one = presented.get(digest);
                if (one != null) {
                    sum[0] += one[0];
                    sum[1] += one[1];
                }
            }
            return sum;
        }
    }

    /**
     * Gives each lazily restored memory file a listener told of the first read of each of its chunks,
     * chosen by the snapshot it belongs to. Does nothing where lazy restore is unavailable.
     */
    public void setChunkAccessListeners(Function<SnapshotInfo, ChunkAccessListener> listeners) {
        if (lazy != null) {
            lazy.setListeners(listeners);
        }
    }

    /**
     * Lazy restore on this node.
     *
     * @param available FUSE mounted and the chunk cache open
     * @param lazyStarts remote starts that restored at once from presented memory
     * @param faults lazy starts whose VMM failed (a chunk could not be had, or the restore failed), each then booted
     * @param wholeFetches remote starts that fetched whole snapshots (lazy unavailable or no room)
     * @param chunks the chunk cache's counters; null when unavailable
     * @param lazyImages images presented lazily (read on first touch) instead of fetched whole
     * @param imageFaults starts that failed because a presented image's chunk could not be had
     */
    public record LazyStats(boolean available, long lazyStarts, long faults, long wholeFetches,
            ChunkCache.Counters chunks, long lazyImages, long imageFaults) {

        public LazyStats(boolean available, long lazyStarts, long faults, long wholeFetches,
                ChunkCache.Counters chunks) {
            this(available, lazyStarts, faults, wholeFetches, chunks, 0, 0);
        }
    }

    /**
     * Working-set counters: {@code refused{reason}} for each reason a published set was not used,
     * {@code recorded}, {@code published}, {@code prefetches}, {@code prefetchedBytes},
     * {@code readAheads}, {@code readAheadBytes}; page packs: {@code packsPublished}, {@code packsLoaded},
     * {@code packFetchedBytes}, {@code packReads} (reads served from a pack), {@code packMisses} (reads
     * a pack did not hold, served from chunks), {@code packsGrown} and {@code packGrownBytes} (packs
     * published again with the pages a start served from them missed), {@code packsHeld} (revisions whose
     * pack is in memory now), {@code packsGrowing} (grown packs being built or published now).
     */
    public Map<String, Long> workingSetCounters() {
        Map<String, Long> counters = new java.util.LinkedHashMap<>(workingSets.counters().snapshot());
        counters.put("packsHeld", (long) workingSets.packsHeld());
        counters.put("packsGrowing", (long) workingSets.packsGrowing());
        return counters;
    }

    /**
     * Whether lazy starts prefetch a revision's working set and local restores read it ahead (on by
     * default). Off, every lazy start records and publishes a set of its own instead: benchmarks
     * turn it off to compare starts without and with one.
     */
    public void prefetchWorkingSets(boolean on) {
        workingSets.prefetch(on);
    }

    public LazyStats lazyStats() {
        return lazy == null ? new LazyStats(false, 0, 0, wholeFetches.get(), null)
                : new LazyStats(true, lazy.lazyStarts.get(), lazy.faults.get(), wholeFetches.get(),
                        lazy.chunks().counters(), lazyImages.lazyImages.get(), lazyImages.faults.get());
    }

    /** A lease on the whole snapshot of {@code function}/{@code revision} in this node's cache, if it is there. */
    public Optional<Lease> leaseSnapshot(String function, String revision) {
        return cache == null ? Optional.empty() : cache.lookup(CacheKeys.snapshot(function, revision));
    }

    /** The keys of the whole snapshots in this node's cache now. */
    public List<String> cachedSnapshotKeys() {
        return cache == null ? List.of() : cache.entries().stream().map(e -> e.key())
                .filter(k -> CacheKeys.revision(k).isPresent()).toList();
    }

    /** The node's chunk cache, where lazy restore is available. */
    public Optional<ChunkCache> chunkCache() {
        return lazy == null ? Optional.empty() : Optional.of(lazy.chunks());
    }

    /** Drops an image from the node's cache (it stays in the store). */
    public void evictImage(String digest) {
        forget(CacheKeys.image(digest));
        if (lazyImages != null) {
            lazyImages.evict(digest);
        }
    }

    /**
     * Store bytes read so far for the image {@code digest} presented lazily on this node (since it was
     * last presented: {@link #evictImage} starts it again from 0); 0 when it is not presented.
     */
    public long lazyImageFetchedBytes(String digest) {
        return lazyImages == null ? 0 : lazyImages.fetchedBytes(digest);
    }

    /** The file the image {@code digest} is presented as on this node's FUSE mount, if it is. */
    Optional<Path> presentedImage(String digest) {
        return lazyImages == null ? Optional.empty() : lazyImages.path(digest);
    }

    /** Waits until every snapshot publication started so far has finished. */
    public void awaitPublications() throws InterruptedException {
        publisher.awaitIdle();
        if (completer != null) {
            completer.awaitIdle();
        }
    }

    /**
     * Calls {@code listener} for every entry added to or removed from this node's cache, first
     * with ADDED for each entry cached now (see {@link NodeCache#addListener}). Does nothing on a
     * node without a cache.
     */
    public void addCacheListener(Consumer<CacheEvent> listener) {
        if (cache != null) {
            cache.addListener(listener);
        }
    }

    /** How much of each revision's snapshot this node holds, as it reports to the scheduler. */
    public RevisionPresence presence() {
        return presence;
    }

    public NodeStats stats() {
        return new NodeStats(config.name(), config.mode(), imageCache.stats(), imageCache.entries(),
                counters.snapshot(), budget == null ? null : budget.usage());
    }

    private void forget(String key) {
        if (CacheKeys.isImage(key)) {
            imageCache.remove(key);
        } else if (cache != null) {
            cache.remove(key);
        }
    }

    private void onCacheEvent(CacheEvent event) {
        if (event.kind() == CacheEvent.Kind.REMOVED && CacheKeys.revision(event.key()).isPresent()) {
            driver.forget(config.cacheDir().resolve(event.key()));
        }
    }

    static String snapshotKey(FunctionDeployment deployment) {
        return CacheKeys.snapshot(deployment.function(), deployment.revision());
    }

    private static FetchReport fetchSnapshot(SnapshotStore remote, SnapshotInfo info, Path staging)
            throws IOException {
        try {
            return remote.fetchSnapshot(info, staging);
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static void closeAll(List<AutoCloseable> held) {
        for (AutoCloseable resource : held.reversed()) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // releasing a lease cannot fail in a way a caller could act on
            }
        }
    }

    /** Waits for publications in flight, then closes the cache. Instances are their owners' to close. */
    @Override
    public void close() {
        publisher.close();
        workingSets.close(); // its prefetches fill the chunk cache
        if (lazy != null) {
            completer.close();
            lazyImages.close();
            lazy.close();
        }
        imageCache.close();
        if (cache != null && cache != imageCache) {
            cache.close();
        }
    }
}
