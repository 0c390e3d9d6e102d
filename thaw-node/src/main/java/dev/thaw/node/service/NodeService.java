package dev.thaw.node.service;

import dev.thaw.api.FunctionId;
import dev.thaw.node.FunctionDeployment;
import dev.thaw.node.Instance;
import dev.thaw.node.NodeRuntime;
import dev.thaw.node.NodeStartException;
import dev.thaw.node.NodeStats;
import dev.thaw.node.ProcessSampler;
import dev.thaw.node.RevisionPresence;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.StartRecord;
import dev.thaw.node.peer.PeerClients;
import dev.thaw.node.peer.PeerHealth;
import dev.thaw.node.peer.PeerHoldings;
import dev.thaw.node.peer.SourceCounters;
import dev.thaw.node.peer.SourcedObjectStore;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.GuestKernels;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.sandbox.qemu.StaleRunRoots;
import dev.thaw.snapshot.cache.CacheEvent;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.wire.v1.node.CacheKeys;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.PresentRevision;
import dev.thaw.wire.v1.node.ProcessStats;
import dev.thaw.wire.v1.node.PeerSource;
import dev.thaw.wire.v1.node.StartRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The node agent: the revisions deployed here, the instances running here, and
 * the capacity they use. Every operation is safe to call concurrently; a start
 * holds no lock while its VM boots or restores.
 *
 * <p>Owns its driver, its {@link NodeRuntime} and its store client: {@link #close()}
 * stops every instance and VM.
 */
public final class NodeService implements AutoCloseable {
    private static final Logger LOG = System.getLogger(NodeService.class.getName());
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    /** Keep-alive of an instance whose start request named none. */
    static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(10);
    /** How long past its keep-alive an idle instance runs before the node stops it on its own. */
    static final Duration IDLE_GRACE = Duration.ofSeconds(30);
    private static final Duration REAP_PERIOD = Duration.ofSeconds(1);

    private record Deployed(DeploymentSpec spec, FunctionDeployment deployment) {
    }

    /** @param peerBytes snapshot bytes its start read from other nodes by the time it was ready */
    private record Running(Instance instance, DeploymentSpec spec, Instant startedAt, long peerBytes) {
        InstanceView view() {
            return new InstanceView(instance.id(), spec.function(), spec.revision(), startedAt,
                    WireViews.start(instance.start(), peerBytes));
        }
    }

    /** Where in the work directory the node keeps its snapshot signing key (kept across restarts). */
    static final String KEY_DIR = "identity";
    /** Packed snapshots waiting for their upload, under the work directory. */
    static final String SPOOL_DIR = "spool";

    private final NodeServiceConfig config;
    private final NodeKey key;
    private final GuestKernel kernel;
    private final SandboxDriver driver;
    private final Optional<S3ObjectStore> objects;
    private final NodeRuntime runtime;
    private final Runnable cleanup;
    /** The QEMU run directory on /dev/shm, reported in the status; null for other drivers. */
    private final Path shmDir;
    private final Capacity capacity;
    private final ImagePaths imagePaths;
    private final Map<String, Deployed> deployments = new ConcurrentHashMap<>();
    private final Map<String, Running> instances = new ConcurrentHashMap<>();
    private final List<Consumer<StartRecord>> startListeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<String, PrefetchRequest>> prefetchListeners =
            new CopyOnWriteArrayList<>();
    private final List<Consumer<StartRequest>> startRequestListeners = new CopyOnWriteArrayList<>();
    private final InstantSource clock;
    private final IdleTracker idle;
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("thaw-node-reaper").daemon().factory());
    private volatile boolean closed;
    /** What this node serves to peers, and how it reads from them. */
    private final PeerHoldings holdings;
    private final PeerClients peers;
    private final PeerHealth peerHealth;
    private final SourceCounters sourceCounters = new SourceCounters();
    private volatile RevisionPresence presence;

    private NodeService(NodeServiceConfig config, GuestKernel kernel, SandboxDriver driver,
            Optional<S3ObjectStore> objects, NodeRuntime runtime, Runnable cleanup, Path shmDir, NodeKey key,
            InstantSource clock) {
        this.clock = clock;
        this.idle = new IdleTracker(clock, IDLE_GRACE);
        this.config = config;
        this.key = key;
        this.shmDir = shmDir;
        this.kernel = kernel;
        this.driver = driver;
        this.objects = objects;
        this.runtime = runtime;
        this.presence = runtime.presence();
        this.cleanup = cleanup;
        this.capacity = new Capacity(config.memoryMib(), config.slots());
        this.imagePaths = new ImagePaths(new ThawHome(config.thawHome()));
        this.holdings = new PeerHoldings(runtime, key);
        this.peers = new PeerClients(config.name(), PeerClients.DEADLINE);
        this.peerHealth = new PeerHealth(clock, PeerHealth.PENALTY);
        reaper.scheduleWithFixedDelay(this::reapQuietly, REAP_PERIOD.toMillis(), REAP_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Opens a node with the guest kernel from {@code config.thawHome()} (built there
     * if missing) and a QEMU driver whose run directory on {@code /dev/shm} is removed on close.
     */
    public static NodeService open(NodeServiceConfig config) throws IOException {
        GuestKernel kernel = new GuestKernels().ensure(new ThawHome(config.thawHome()));
        // The parent directory is shared so QEMU's accelerator verdict is remembered across node processes.
        Path runRoot = StaleRunRoots.forNode(config.name(), ProcessHandle.current().pid());
        QemuMicrovmDriver driver = QemuMicrovmDriver.start(kernel.vmlinuz(), kernel.initramfs(), runRoot,
                config.name());
        return open(config, kernel, driver, () -> FileTrees.deleteQuietly(runRoot), runRoot, InstantSource.system());
    }

    /** Opens a node on a driver started for {@code kernel}; the node owns the driver from now on. */
    public static NodeService open(NodeServiceConfig config, GuestKernel kernel, SandboxDriver driver)
            throws IOException {
        return open(config, kernel, driver, InstantSource.system());
    }

    /**
     * As {@link #open(NodeServiceConfig, GuestKernel, SandboxDriver)}, reading instance start and idle times from
     * {@code clock} (the idle reaper stops an instance idle past its keep-alive by this clock).
     */
    public static NodeService open(NodeServiceConfig config, GuestKernel kernel, SandboxDriver driver,
            InstantSource clock) throws IOException {
        return open(config, kernel, driver, () -> { }, null, clock);
    }

    private static NodeService open(NodeServiceConfig config, GuestKernel kernel, SandboxDriver driver,
            Runnable cleanup, Path shmDir, InstantSource clock) throws IOException {
        Optional<S3ObjectStore> objects = Optional.empty();
        try {
            if (config.s3().isPresent()) {
                objects = Optional.of(new S3ObjectStore(config.s3().get()));
                objects.get().createBucketIfMissing();
            }
            // the node's cache holds guest memory: its owner only
            FileTrees.createPrivateDirectories(config.workDir());
            NodeKey key = NodeKey.loadOrCreate(config.workDir().resolve(KEY_DIR), config.name());
            Path spool = emptySpool(config.workDir());
            NodeRuntime runtime = NodeRuntime.open(config.nodeConfig(), driver,
                    objects.map(o -> new SnapshotStore(o, key, spool)));
            return new NodeService(config, kernel, driver, objects, runtime, cleanup, shmDir, key, clock);
        } catch (StoreException e) {
            closeQuietly(driver, objects, cleanup);
            throw new IOException("the S3 store " + config.s3().get().describe() + " is not usable: "
                    + e.getMessage() + "; check --s3-endpoint, --s3-bucket and the credentials", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(driver, objects, cleanup);
            throw e;
        }
    }

    /**
     * The directory where packed snapshots wait for their upload, emptied: what a node killed mid-upload left
     * there goes when the next one starts on the same work directory.
     */
    private static Path emptySpool(Path workDir) throws IOException {
        Path spool = workDir.resolve(SPOOL_DIR);
        dev.thaw.api.DirectoryTrees.deleteTree(spool);
        FileTrees.createPrivateDirectories(spool);
        return spool;
    }

    public NodeServiceConfig config() {
        return config;
    }

    /** The public key this node signs its snapshots with, as it registers it with the gateway. */
    public String signingKey() {
        return key.publicKeyText();
    }

    /** Calls {@code listener} with the record of every instance started from now on (for metrics). */
    public void onStart(Consumer<StartRecord> listener) {
        startListeners.add(listener);
    }

    /**
     * Calls {@code listener} with {@code function/revision} and the request of every prefetch accepted from now on
     * (for metrics and logs), before the fetch runs.
     */
    public void onPrefetch(BiConsumer<String, PrefetchRequest> listener) {
        prefetchListeners.add(listener);
    }

    /** Calls {@code listener} with every start request accepted from now on (for logs), before the start runs. */
    public void onStartRequest(Consumer<StartRequest> listener) {
        startRequestListeners.add(listener);
    }

    /** The revision deployed here as {@code function}/{@code revision}, as the control plane described it. */
    public Optional<DeploymentSpec> deployment(String function, String revision) {
        return Optional.ofNullable(deployments.get(key(function, revision))).map(Deployed::spec);
    }

    /**
     * Accepts a revision for {@code function}/{@code revision} (the request path),
     * replacing an earlier deployment of the same revision.
     */
    public void deploy(String function, String revision, DeploymentSpec spec) throws NodeRequestException {
        requireFunctionName(function);
        if (!REVISION.matcher(revision).matches()) {
            throw NodeRequestException.badRequest("invalid revision '" + revision
                    + "': use letters, digits, '.', '_' or '-' (at most 128)");
        }
        if (!spec.function().equals(function) || !spec.revision().equals(revision)) {
            throw NodeRequestException.badRequest("the path names " + function + "/" + revision
                    + " but the body describes " + spec.function() + "/" + spec.revision());
        }
        if (!spec.kernelDigest().equals(kernel.digest())) {
            throw new NodeRequestException(409, "kernel_mismatch", "revision " + revision + " of '" + function
                    + "' was built for guest kernel " + spec.kernelDigest() + " but node " + config.name()
                    + " runs guest kernel " + kernel.digest() + " (" + kernel.version()
                    + "); give every node the same Thaw home kernel, or deploy again from this one");
        }
        Deployed current = deployments.get(key(function, revision));
        if (current != null && current.spec().equals(spec)) {
            // Several gateways hand a node the same revision; replacing it would fail a start in flight.
            return;
        }
        // In remote mode images come through the store and cache even on the host that built them,
        // as they would on any other node.
        boolean imagesHere = config.mode() != SnapshotMode.REMOTE && !spec.imagePaths().isEmpty()
                && spec.imagePaths().stream().allMatch(p -> Files.isRegularFile(Path.of(p)));
        // Without paths a disk is found by digest alone; the placeholder path is never opened.
        List<Path> disks = imagesHere ? imagePaths.attachable(spec.imagePaths())
                : spec.imagePaths().isEmpty() ? spec.imageDigests().stream().map(Path::of).toList()
                : spec.imagePaths().stream().map(Path::of).toList();
        BootSpec boot = new BootSpec(function, revision, spec.shape(), kernel.vmlinuz(), kernel.initramfs(),
                kernel.digest(), disks, spec.imageDigests(), Duration.ofMillis(spec.initTimeoutMs()));
        deployments.put(key(function, revision), new Deployed(spec, new FunctionDeployment(boot, imagesHere)));
    }

    /**
     * Fetches a deployed revision's snapshot into this node's cache ahead of a predicted start (the gateway's
     * prefetch), within the cache budget; returns the bytes fetched, 0 if there was nothing to do. The snapshot is
     * verified against the request's signers exactly as a start verifies it; an unverifiable one is not fetched.
     */
    public long prefetch(String function, String revision, PrefetchRequest request) throws NodeRequestException {
        requireOpen();
        Deployed deployed = deployments.get(key(function, revision));
        if (deployed == null) {
            throw NodeRequestException.unknownDeployment(function, revision);
        }
        for (var listener : prefetchListeners) {
            listener.accept(key(function, revision), request);
        }
        try {
            return runtime.prefetch(deployed.deployment(), TrustedSigners.of(request.signers()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeRequestException(503, "interrupted", "the node is stopping");
        }
    }

    /** Starts an instance of a deployed revision from the cheapest tier that works. */
    public InstanceView start(StartRequest request) throws NodeRequestException {
        requireOpen();
        String key = key(request.function(), request.revision());
        Deployed deployed = deployments.get(key);
        if (deployed == null) {
            throw NodeRequestException.unknownDeployment(request.function(), request.revision());
        }
        for (Consumer<StartRequest> listener : startRequestListeners) {
            listener.accept(request);
        }
        long memory = deployed.spec().shape().memoryMib();
        capacity.reserve(memory, config.name());
        Instance instance;
        SnapshotStore via = viaPeers(request);
        try {
            instance = runtime.start(deployed.deployment(), TrustedSigners.of(request.signers()), via);
        } catch (NodeStartException e) {
            capacity.release(memory);
            throw new NodeRequestException(500, "start_failed", e.getMessage());
        } catch (RuntimeException e) {
            capacity.release(memory);
            throw e;
        }
        long peerBytes = via == null ? 0 : ((SourcedObjectStore) via.objectStore()).peerBytes();
        Running running = new Running(instance, deployed.spec(), clock.instant(), peerBytes);
        idle.started(instance.id(), request.keepAliveMs() == null ? DEFAULT_KEEP_ALIVE
                : Duration.ofMillis(Math.max(0, request.keepAliveMs())));
        instances.put(instance.id(), running);
        // A delete or close that ran while this VM started did not see it: undo the start here.
        if (closed || deployments.get(key) != deployed) {
            stopQuietly(instance.id());
            throw new NodeRequestException(404, "unknown_deployment", "revision " + request.revision() + " of '"
                    + request.function() + "' was removed from this node while the instance started");
        }
        for (Consumer<StartRecord> listener : startListeners) {
            listener.accept(instance.start());
        }
        return running.view();
    }

    /**
     * The store with the request's peers, if any, in front of it (see {@link SourcedObjectStore}), which counts
     * what the start reads by source; null when this node reads no store.
     */
    private SnapshotStore viaPeers(StartRequest request) {
        if (objects.isEmpty() || config.mode() != SnapshotMode.REMOTE) {
            return null;
        }
        Set<String> whole = request.peers().stream().filter(PeerSource::whole).map(PeerSource::node)
                .collect(Collectors.toSet());
        return new SnapshotStore(new SourcedObjectStore(peers.of(request.peers()), whole, objects.get(), peerHealth,
                sourceCounters));
    }

    /** What this node serves to its peers from its caches. */
    public PeerHoldings peerHoldings() {
        return holdings;
    }

    /** How this node reaches its peers. */
    public PeerClients peerClients() {
        return peers;
    }

    /** Lazy restore and chunk cache counters. */
    public NodeRuntime.LazyStats lazyStats() {
        return runtime.lazyStats();
    }

    /** Working-set counters under their stable names (see {@link NodeRuntime#workingSetCounters()}). */
    public java.util.Map<String, Long> workingSetCounters() {
        return runtime.workingSetCounters();
    }

    /** Snapshot bytes read by source (peers, the store) since the node started. */
    public SourceCounters.Snapshot sourceCounters() {
        return sourceCounters.snapshot();
    }

    /**
     * Invokes an instance with the deployment's timeout unless {@code timeout} is given.
     *
     * @return the successful result; handler errors, timeouts and dead VMs are thrown
     */
    public InvocationResult invoke(String id, byte[] body, Optional<Duration> timeout) throws NodeRequestException {
        Running running = instances.get(id);
        if (running == null) {
            throw NodeRequestException.unknownInstance(id);
        }
        Duration limit = timeout.orElse(Duration.ofMillis(running.spec().invokeTimeoutMs()));
        InvocationResult result;
        idle.begin(id);
        try {
            if (!running.instance().isAlive()) {
                throw new SandboxException("its VM is no longer running");
            }
            result = running.instance().invoke(body, limit);
        } catch (SandboxException e) {
            if (!running.instance().isAlive()) {
                stopQuietly(id);
                throw new NodeRequestException(410, "instance_gone", "instance " + id + " of '"
                        + running.spec().function() + "' is gone: " + e.getMessage() + "; start a new instance");
            }
            throw new NodeRequestException(500, "invoke_failed", "invoking instance " + id + " failed: "
                    + e.getMessage());
        } finally {
            idle.end(id);
        }
        return switch (result.outcome()) {
            case OK -> result;
            case HANDLER_ERROR -> throw new NodeRequestException(500, "handler_error",
                    result.error() + (result.body().length > 0 ? "\n" + result.bodyText() : ""));
            case TIMEOUT -> throw new NodeRequestException(504, "timeout", "the handler of '"
                    + running.spec().function() + "' did not finish within " + limit.toMillis() + " ms");
        };
    }

    /** Stops an instance and frees its capacity. */
    public void stop(String id) throws NodeRequestException {
        if (!stopQuietly(id)) {
            throw NodeRequestException.unknownInstance(id);
        }
    }

    /**
     * Stops the function's instances, forgets its deployments and evicts its
     * snapshots from this node's cache; the store keeps them (the gateway deletes those once).
     */
    public void deleteFunction(String function) throws NodeRequestException {
        requireFunctionName(function);
        deployments.keySet().removeIf(k -> k.startsWith(function + "/"));
        instances.values().stream().filter(r -> r.spec().function().equals(function))
                .map(r -> r.instance().id()).toList().forEach(this::stopQuietly);
        runtime.evictFunction(function);
    }

    /** What this node reports on {@code /v1/status} and with every heartbeat. */
    public NodeStatus status(URI url) {
        NodeStats stats = runtime.stats();
        List<InstanceView> views = instances.values().stream().map(Running::view)
                .sorted(Comparator.comparing(InstanceView::startedAt)).toList();
        return new NodeStatus(config.name(), url.toString(), config.mode().label(), capacity.memoryMib(),
                capacity.freeMemoryMib(), capacity.slots(), capacity.freeSlots(), views,
                WireViews.cache(stats.cache(), stats.disk()), WireViews.cached(stats.cached()), WireViews.counters(stats.counters()),
                clock.instant(), processStats(), WireViews.confinement(driver.confinement()), signingKey(),
                present(stats));
    }

    /**
     * How much of each revision deployed or cached here the node holds, for the revisions it holds any of.
     * A revision the node has not been given may still be cached from an earlier run.
     */
    private List<PresentRevision> present(NodeStats stats) {
        Set<String> revisions = new TreeSet<>(deployments.keySet());
        stats.cached().forEach(e -> CacheKeys.revision(e.key()).ifPresent(r -> revisions.add(key(r[0], r[1]))));
        RevisionPresence measure = presence;
        List<PresentRevision> present = new ArrayList<>();
        for (String revision : revisions) {
            int slash = revision.indexOf('/');
            String function = revision.substring(0, slash);
            String id = revision.substring(slash + 1);
            long total = measure.totalBytes(function, id);
            long bytes = Math.min(measure.presentBytes(function, id), total);
            if (total > 0 && bytes > 0) {
                present.add(new PresentRevision(function, id, bytes, total));
            }
        }
        return present;
    }

    /**
     * Measures how much of each revision this node holds with {@code presence} from now on, instead of with
     * its runtime's (a node whose snapshot data another component holds; tests of placement).
     */
    public void measurePresenceWith(RevisionPresence presence) {
        this.presence = Objects.requireNonNull(presence, "presence");
    }

    /** How this node measures how much of each revision it holds. */
    public RevisionPresence presence() {
        return presence;
    }

    /** This node process's footprint, with its /dev/shm run directory. */
    public ProcessStats processStats() {
        return ProcessSampler.sample(shmDir);
    }

    /** Calls {@code listener} on every change of this node's cache; see {@link NodeRuntime#addCacheListener}. */
    public void addCacheListener(Consumer<CacheEvent> listener) {
        runtime.addCacheListener(listener);
    }

    public NodeStats stats() {
        return runtime.stats();
    }

    public int instanceCount() {
        return instances.size();
    }

    public long freeMemoryMib() {
        return capacity.freeMemoryMib();
    }

    public int freeSlots() {
        return capacity.freeSlots();
    }

    /** Waits until snapshots taken so far are in the store (remote mode). */
    public void awaitPublications() throws InterruptedException {
        runtime.awaitPublications();
    }

    /**
     * Before registering with a gateway: the instances running now belong to no gateway once
     * the registration succeeds (a gateway that knew this node would not have asked it to
     * register again), so the returned task stops them. Instances started after the
     * registration are the new gateway's and stay.
     */
    public Runnable orphansOnRegistration() {
        List<String> before = List.copyOf(instances.keySet());
        return () -> {
            for (String id : before) {
                Running running = instances.get(id);
                if (running != null && stopQuietly(id)) {
                    LOG.log(Level.INFO, "stopped instance " + id + " of " + running.spec().function() + ": the gateway that"
                            + " started it no longer knows this node");
                }
            }
        };
    }

    // A periodic task that throws is never run again: the reaper must outlive any one failure.
    private void reapQuietly() {
        try {
            reapIdle();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reaping idle instances failed: " + e.getMessage(), e);
        }
    }

    /** Stops instances idle past their keep-alive plus {@link #IDLE_GRACE}; returns their ids. */
    List<String> reapIdle() {
        List<String> expired = idle.expired();
        for (String id : expired) {
            Running running = instances.get(id);
            Duration idleFor = idle.idleFor(id);
            if (running != null && stopQuietly(id)) {
                LOG.log(Level.INFO, "stopped instance " + id + " of " + running.spec().function() + ": idle for "
                        + idleFor.toSeconds() + " s, past its keep-alive plus " + IDLE_GRACE.toSeconds()
                        + " s, and no gateway stopped it");
            }
        }
        return expired;
    }

    private boolean stopQuietly(String id) {
        idle.stopped(id);
        Running running = instances.remove(id);
        if (running == null) {
            return false;
        }
        try {
            running.instance().close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping instance " + id + " failed: " + e.getMessage(), e);
        } finally {
            capacity.release(running.spec().shape().memoryMib());
        }
        return true;
    }

    private void requireOpen() throws NodeRequestException {
        if (closed) {
            throw new NodeRequestException(503, "shutting_down", "node " + config.name() + " is shutting down");
        }
    }

    private static void requireFunctionName(String function) throws NodeRequestException {
        try {
            FunctionId.requireKey(function);
        } catch (IllegalArgumentException e) {
            throw NodeRequestException.badRequest(e.getMessage());
        }
    }

    private static String key(String function, String revision) {
        return function + "/" + revision;
    }

    /**
     * Stops pre-starting VMMs (and the ones waiting), then every instance, then the runtime
     * (waiting for snapshot publications), the driver and the store client. No VM of this node
     * runs when it returns.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reaper.shutdownNow();
        driver.stopPrestarting();
        List.copyOf(instances.keySet()).forEach(this::stopQuietly);
        try {
            runtime.close();
        } finally {
            peers.close();
            closeQuietly(driver, objects, cleanup);
        }
    }

    private static void closeQuietly(SandboxDriver driver, Optional<S3ObjectStore> objects, Runnable cleanup) {
        try {
            driver.close();
        } finally {
            objects.ifPresent(S3ObjectStore::close);
            cleanup.run();
        }
    }
}
