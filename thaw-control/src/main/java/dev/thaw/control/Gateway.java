package dev.thaw.control;

import dev.thaw.api.FunctionId;
import dev.thaw.api.MachineShape;
import dev.thaw.control.access.AccessStore;
import dev.thaw.control.access.Quota;
import dev.thaw.control.access.QuotaExceededException;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.cluster.NodeIdentities;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.deploy.Deployer;
import dev.thaw.control.deploy.FunctionRegistry;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.registry.DurableRegistry;
import dev.thaw.control.registry.MemoryRegistry;
import dev.thaw.control.registry.ObjectStoreRegistry;
import dev.thaw.control.registry.RegistryContents;
import dev.thaw.control.deploy.RegistryLoader;
import dev.thaw.control.deploy.RegistrySync;
import dev.thaw.control.registry.RegistryProblem;
import dev.thaw.control.routing.Placement;
import dev.thaw.control.routing.Router;
import dev.thaw.control.routing.Routers;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.wire.v1.gateway.ClusterStatus;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.NodeSummary;
import dev.thaw.wire.v1.gateway.RegistryProblemReport;
import dev.thaw.wire.v1.gateway.RunSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.thaw.http.ClientOptions;
import dev.thaw.http.TlsSettings;
import java.io.IOException;
import java.time.Duration;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The control plane of a Thaw cluster: membership, functions, routing and the HTTP
 * API. Owns everything it starts; {@link #close} stops it all.
 */
public final class Gateway implements AutoCloseable {
    /** How often idle instances are checked against their keep-alive. */
    private static final long EXPIRY_PERIOD_MS = 50;

    private final GatewayConfig config;
    private final ScheduledExecutorService timer;
    /** Reads what other gateways wrote to the registry; its own thread, so a slow store delays no expiry. */
    private final ScheduledExecutorService syncTimer;
    private final RegistrySync sync;
    private final Membership membership;
    private final NodeIdentities identities;
    private final FunctionRegistry registry = new FunctionRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final Routers routers;
    private final DurableRegistry durable;
    private final AccessStore access;
    private final Deployer deployer;
    private final S3ObjectStore objectStore;
    private final GatewayServer server;

    /**
     * Opens the registry the gateway keeps its functions in, given the object store the gateway
     * uses (null when it runs without one): the seam where Kubernetes plugs in its own.
     */
    @FunctionalInterface
    public interface RegistryFactory {
        DurableRegistry open(ObjectStore store) throws IOException;
    }

    private Gateway(GatewayConfig config, TlsSettings tls, Duration registryRefresh, RegistryFactory registryFactory)
            throws IOException {
        this.config = config;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gateway-timer").daemon()
                .factory());
        this.membership = new Membership(config.livenessTimeout(), timer);
        membership.useNodeClients(ClientOptions.of(Duration.ofSeconds(2)).withTlsCa(tls.ca()));
        // The first node to register would otherwise wait for the client's classes to load.
        dev.thaw.http.Client.prepare();
        this.routers = new Routers(new Placement(membership, config.policy()), metrics, config.keepAlive(),
                config.prefetch(), config.nanoClock());
        this.objectStore = config.s3() == null ? null : new S3ObjectStore(config.s3());
        // Node bindings live beside the function registry, and last as long as it does.
        ObjectStore registryStore = objectStore != null ? objectStore
                : config.registryDir() != null ? new DirectoryObjectStore(config.registryDir()) : null;
        this.durable = registryFactory != null ? registryFactory.open(registryStore)
                : registryStore != null ? new ObjectStoreRegistry(registryStore, InstantSource.system())
                : new MemoryRegistry();
        this.identities = new NodeIdentities(registryStore, config.identityKey(), InstantSource.system());
        // Namespaces and tokens live beside the function registry, like node bindings.
        this.access = new AccessStore(registryStore, config.identityKey(), InstantSource.system());
        this.deployer = new Deployer(config.home(), registry, durable, membership, routers,
                Optional.ofNullable(objectStore).map(SnapshotStore::new), this::admit);
        this.sync = new RegistrySync(durable, registry, deployer);
        deployer.onConflict(sync::catchUp);
        this.syncTimer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gateway-registry-sync")
                .daemon().factory());
        membership.addListener(routers);
        membership.addListener(deployer);
        timer.scheduleWithFixedDelay(routers::expire, EXPIRY_PERIOD_MS, EXPIRY_PERIOD_MS, TimeUnit.MILLISECONDS);
        new RegistryLoader(durable, registry, timer, this::serve).start();
        sync.schedule(syncTimer, registryRefresh);
        loadAccess(RETRY_ACCESS_MS);
        // Another gateway of the same store may issue or revoke tokens: take its changes within seconds.
        timer.scheduleWithFixedDelay(this::refreshAccess, REFRESH_ACCESS_MS, REFRESH_ACCESS_MS,
                TimeUnit.MILLISECONDS);
        this.server = GatewayServer.start(this, tls);
    }

    /** Routes every loaded function and hands them to the nodes that registered before the load. */
    private void serve(RegistryContents contents) {
        for (DeployedFunction f : registry.all()) {
            routers.deploy(f.spec(), f.settings());
        }
        membership.alive().forEach(deployer::joined);
    }

    private static final long RETRY_ACCESS_MS = 250;
    private static final long REFRESH_ACCESS_MS = 5_000;

    private void refreshAccess() {
        try {
            access.refresh();
        } catch (StoreException | RuntimeException e) {
            System.getLogger(Gateway.class.getName()).log(System.Logger.Level.WARNING, "namespaces and tokens"
                    + " cannot be refreshed from " + access.describe() + " (" + e.getMessage() + "); serving the last"
                    + " loaded ones");
        }
    }
    private static final long MAX_RETRY_ACCESS_MS = 5_000;

    /** Loads namespaces and tokens; a store that fails is retried on the timer, never taken for "none". */
    private void loadAccess(long pauseMs) {
        try {
            access.load();
        } catch (StoreException | RuntimeException e) {
            System.getLogger(Gateway.class.getName()).log(System.Logger.Level.WARNING, "namespaces and tokens"
                    + " cannot be loaded (" + e.getMessage() + "); namespace tokens get 503 until they can; retrying");
            if (!timer.isShutdown()) {
                timer.schedule(() -> loadAccess(Math.min(pauseMs * 2, MAX_RETRY_ACCESS_MS)), pauseMs,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The quota check of every deploy: the namespace's functions, the new one counted as deployed. */
    private void admit(FunctionId function, MachineShape shape, FunctionSettings settings)
            throws QuotaExceededException {
        Quota quota = access.namespace(function.namespace()).map(AccessStore.NamespaceEntry::quota)
                .orElse(Quota.NONE);
        if (quota.equals(Quota.NONE)) {
            return;
        }
        Quota.Usage before = usage(function.namespace());
        Quota.Usage others = usage(function.namespace(), function.key());
        Optional<String> exceeded = quota.exceeded(function.namespace(), before,
                others.plus(settings, shape.memoryMib()));
        if (exceeded.isPresent()) {
            throw new QuotaExceededException(exceeded.get());
        }
    }

    /** What the functions of {@code namespace} reserve. */
    public Quota.Usage usage(String namespace) {
        return usage(namespace, null);
    }

    private Quota.Usage usage(String namespace, String except) {
        Quota.Usage usage = Quota.Usage.ZERO;
        for (DeployedFunction f : inNamespace(namespace)) {
            if (!f.name().equals(except)) {
                usage = usage.plus(f.settings(), f.spec().shape().memoryMib());
            }
        }
        return usage;
    }

    /** The functions deployed in {@code namespace}. */
    public List<DeployedFunction> inNamespace(String namespace) {
        return registry.all().stream().filter(f -> FunctionId.ofKey(f.name()).namespace().equals(namespace))
                .toList();
    }

    /** Starts a gateway listening on {@code config.listen()}. */
    public static Gateway start(GatewayConfig config) throws IOException {
        return new Gateway(config, TlsSettings.NONE, RegistrySync.DEFAULT_PERIOD, null);
    }

    /**
     * As {@link #start(GatewayConfig)}, reading what other gateways wrote to the registry every
     * {@code registryRefresh} (and on a call to a function it does not know).
     */
    public static Gateway start(GatewayConfig config, Duration registryRefresh) throws IOException {
        if (registryRefresh.isNegative() || registryRefresh.isZero()) {
            throw new IllegalArgumentException("the registry refresh period must be positive, got " + registryRefresh);
        }
        return new Gateway(config, TlsSettings.NONE, registryRefresh, null);
    }

    /**
     * As {@link #start(GatewayConfig)}, serving TLS with {@code tls}'s certificate and key when given,
     * and verifying {@code https://} nodes against its CA file.
     */
    public static Gateway start(GatewayConfig config, TlsSettings tls) throws IOException {
        return new Gateway(config, tls, RegistrySync.DEFAULT_PERIOD, null);
    }

    /** As {@link #start(GatewayConfig, TlsSettings)}, keeping functions in the registry {@code registry} opens. */
    public static Gateway start(GatewayConfig config, TlsSettings tls, RegistryFactory registry) throws IOException {
        return new Gateway(config, tls, RegistrySync.DEFAULT_PERIOD, registry);
    }

    /** The base URL of the HTTP API, ending in '/'. */
    public URI url() {
        return server.url();
    }

    public GatewayConfig config() {
        return config;
    }

    public Membership membership() {
        return membership;
    }

    /** Which node token belongs to which node. */
    public NodeIdentities identities() {
        return identities;
    }

    /** Namespaces, quotas and tokens. */
    public AccessStore access() {
        return access;
    }

    public Deployer deployer() {
        return deployer;
    }

    public FunctionRegistry functions() {
        return registry;
    }

    /** Keeps this gateway's functions in step with what other gateways write to the shared registry. */
    public RegistrySync registrySync() {
        return sync;
    }

    public Routers routers() {
        return routers;
    }

    public PrometheusMeterRegistry metrics() {
        return metrics.registry();
    }

    public FunctionView view(DeployedFunction f) {
        int instances = routers.find(f.name()).map(Router::instances).orElse(0);
        FunctionId id = FunctionId.ofKey(f.name());
        return new FunctionView(id.namespace(), id.name(), f.revision(), runSettings(f.settings()), f.imageDigest(), f.deployedAt(),
                instances, f.exampleRequest());
    }

    /** The functions of {@code namespace}, as the API shows them. */
    public List<FunctionView> list(String namespace) {
        return inNamespace(namespace).stream().map(this::view).toList();
    }

    public List<NodeSummary> nodes() {
        return membership.all().stream().map(Gateway::summary).toList();
    }

    public ClusterStatus status() {
        return new ClusterStatus(config.policy().label(), membership.all().size(), membership.alive().size(),
                registry.all().size(), routers.instances(), config.bodyLimitBytes(), durable.describe(),
                registry.unavailable().orElse(null), registry.problems().stream().map(Gateway::report).toList());
    }

    private static RunSettings runSettings(FunctionSettings s) {
        return new RunSettings(s.concurrency(), s.maxInstances(), s.keepAliveMs(), s.queueSize(), s.queueTimeoutMs());
    }

    private static RegistryProblemReport report(RegistryProblem p) {
        return new RegistryProblemReport(p.function(), p.key(), p.problem(), p.serving(), p.generation());
    }

    private static NodeSummary summary(Member m) {
        return new NodeSummary(m.name(), m.url().toString(), m.alive(), m.lastHeartbeat(), m.status());
    }

    @Override
    public void close() {
        server.close();
        syncTimer.shutdownNow();
        timer.shutdownNow();
        membership.close();
        if (objectStore != null) {
            objectStore.close();
        }
    }
}
