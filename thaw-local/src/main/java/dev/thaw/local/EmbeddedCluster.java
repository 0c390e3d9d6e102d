package dev.thaw.local;

import dev.thaw.control.cluster.IdentityKeyFile;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.sandbox.qemu.StaleRunRoots;
import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3Config;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A whole Thaw cluster on this host: the embedded S3 server (unless an external
 * store is given), the gateway in this process, and N node agents as their own
 * processes, each with its own work directory and cache budget. It owns all of
 * them; {@link #close()} stops nodes first (their VMs with them), then the
 * gateway, then the S3 server.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private static final Duration NODE_START = Duration.ofSeconds(60);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param workDir holds the S3 data and one directory per node
     * @param externalS3 an S3 service to use instead of the embedded server (credentials from its config)
     * @param port the gateway's port on loopback; 0 picks a free one
     * @param keepAlive the gateway's keep-alive policy
     * @param prefetch whether the gateway has nodes prefetch snapshots before predicted invocations
     */
    public record Options(int nodes, SchedulerPolicy policy, SnapshotMode mode, long cacheBudgetMib,
            long memoryMib, int slots, int prestart, int port, Path workDir, ThawHome home, S3Config externalS3,
            KeepAlivePolicy keepAlive, SnapshotPrefetch prefetch) {

        /** Today's keep-alive (fixed) and no prefetch. */
        public Options(int nodes, SchedulerPolicy policy, SnapshotMode mode, long cacheBudgetMib, long memoryMib,
                int slots, int prestart, int port, Path workDir, ThawHome home, S3Config externalS3) {
            this(nodes, policy, mode, cacheBudgetMib, memoryMib, slots, prestart, port, workDir, home, externalS3,
                    KeepAlivePolicy.FIXED, SnapshotPrefetch.NONE);
        }

        public Options {
            if (nodes < 1 || nodes > 64) {
                throw new IllegalArgumentException("nodes must be 1..64, got " + nodes);
            }
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(home, "home");
            Objects.requireNonNull(keepAlive, "keepAlive");
            Objects.requireNonNull(prefetch, "prefetch");
            if (cacheBudgetMib < 0 || memoryMib < 128 || slots < 1 || prestart < 0 || port < 0 || port > 65535) {
                throw new IllegalArgumentException("cache budget must be >= 0 MiB, memory >= 128 MiB, slots >= 1,"
                        + " prestart >= 0, port 0..65535");
            }
        }
    }

    private final EmbeddedS3Server s3;
    private final Gateway gateway;
    private final List<NodeProcess> nodes;
    private final String joinToken;
    /** Stops the node processes if this JVM is stopped (Ctrl-C) before {@link #close()}: they must not outlive it. */
    private final Thread shutdownHook;
    private volatile boolean closed;

    private EmbeddedCluster(EmbeddedS3Server s3, Gateway gateway, List<NodeProcess> nodes, String joinToken) {
        this.s3 = s3;
        this.gateway = gateway;
        this.nodes = nodes;
        this.joinToken = joinToken;
        this.shutdownHook = new Thread(this::stop, "thaw-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static EmbeddedCluster start(Options options) throws IOException, StoreException, InterruptedException {
        Files.createDirectories(options.workDir());
        String apiToken = token();
        // A fresh join token each start: nodes that joined before keep their own credentials in their work
        // directories, and the gateway's bindings survive with the registry, keyed by a key that lasts too.
        String joinToken = token();
        String identityKey = IdentityKeyFile.loadOrCreate(options.workDir().resolve(IdentityKeyFile.NAME));
        EmbeddedS3Server s3 = null;
        Gateway gateway = null;
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            S3Config store = options.externalS3();
            if (store == null && options.mode() == SnapshotMode.REMOTE) {
                s3 = EmbeddedS3Server.start(options.workDir().resolve("s3"), 0, null, null);
                store = new S3Config(s3.endpoint(), EmbeddedS3Server.REGION, "thaw", s3.accessKey(),
                        s3.secretKey(), true);
            }
            if (store != null) {
                try (S3ObjectStore objects = new S3ObjectStore(store)) {
                    objects.createBucketIfMissing();
                }
            }
            GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", options.port()), apiToken,
                    joinToken).withPolicy(options.policy()).withHome(options.home()).withIdentityKey(identityKey)
                    .withKeepAlive(options.keepAlive()).withPrefetch(options.prefetch())
                    // A cluster on 127.0.0.1 for its own user: 'thaw deploy DIR' builds DIR in place.
                    .withAllowHostPaths(true);
            // Without a store the registry still outlives the gateway, in the work directory.
            gateway = Gateway.start(store == null ? config.withRegistryDir(options.workDir().resolve("registry"))
                    : config.withS3(store));
            List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
            for (int i = 1; i <= options.nodes(); i++) {
                String name = "node-" + i;
                List<String> arguments = nodeArguments(options, name, gateway.url(), store);
                Map<String, String> environment = store == null ? Map.of("THAW_NODE_TOKEN", joinToken)
                        : Map.of("THAW_NODE_TOKEN", joinToken, "THAW_S3_ACCESS_KEY", store.accessKey(),
                                "THAW_S3_SECRET_KEY", store.secretKey());
                Path log = options.workDir().resolve(name + ".log");
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return NodeProcess.start(name, arguments, environment, log, NODE_START);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            IOException failure = null;
            for (CompletableFuture<NodeProcess> future : starting) {
                try {
                    nodes.add(future.join());
                } catch (java.util.concurrent.CompletionException e) {
                    failure = failure != null ? failure : new IOException(e.getCause().getMessage(), e.getCause());
                }
            }
            if (failure != null) {
                throw failure;
            }
            awaitMembers(gateway, options.nodes());
            return new EmbeddedCluster(s3, gateway, nodes, joinToken);
        } catch (IOException | StoreException | InterruptedException | RuntimeException e) {
            nodes.forEach(NodeProcess::close);
            if (gateway != null) {
                gateway.close();
            }
            if (s3 != null) {
                s3.close();
            }
            throw e;
        }
    }

    private static List<String> nodeArguments(Options options, String name, URI gateway, S3Config store) {
        List<String> arguments = new ArrayList<>(List.of("--name=" + name, "--listen=127.0.0.1:0",
                "--gateway=" + gateway, "--mode=" + options.mode().label(),
                "--work-dir=" + options.workDir().resolve(name).toAbsolutePath(),
                "--cache-budget-mib=" + options.cacheBudgetMib(), "--memory-mib=" + options.memoryMib(),
                "--slots=" + options.slots(), "--prestart=" + options.prestart(),
                "--thaw-home=" + options.home().root().toAbsolutePath()));
        if (store != null) {
            arguments.addAll(List.of("--s3-endpoint=" + store.endpoint(), "--s3-bucket=" + store.bucket(),
                    "--s3-region=" + store.region()));
        }
        return arguments;
    }

    /** Nodes register on their own once listening; the cluster is up when all have. */
    private static void awaitMembers(Gateway gateway, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (gateway.membership().alive().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IOException("only " + gateway.membership().alive().size() + " of " + count
                        + " nodes registered with the gateway within " + JOIN_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public URI gatewayUrl() {
        return gateway.url();
    }

    public String apiToken() {
        return gateway.config().apiToken();
    }

    /** The join token the nodes were started with. */
    public String joinToken() {
        return joinToken;
    }

    /** The token {@code node} accepts from this gateway; for benchmarks that call a node directly. */
    public String callToken(String node) {
        return gateway.membership().find(node).map(Member::callToken)
                .orElseThrow(() -> new IllegalArgumentException("no node " + node + " in this cluster"));
    }

    public Gateway gateway() {
        return gateway;
    }

    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    /** The embedded S3 server, or null with an external store or without one. */
    public EmbeddedS3Server s3() {
        return s3;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops everything
        }
        stop();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        nodes.parallelStream().forEach(NodeProcess::close);
        // a node that was killed (or crashed) left its run root with guest memory on tmpfs
        StaleRunRoots.sweep();
        gateway.close();
        if (s3 != null) {
            s3.close();
        }
    }
}
