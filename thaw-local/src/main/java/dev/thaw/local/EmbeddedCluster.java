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
 * store is given), one or more gateways in this process over one registry, and N
 * node agents as their own processes, each registered with every gateway, with its
 * own work directory and cache budget. It owns all of them; {@link #close()} stops
 * nodes first (their VMs with them), then the gateways, then the S3 server.
 */
public final class EmbeddedCluster implements AutoCloseable {
    // Generous: on a busy 2-core host, four node JVMs starting at once took over a minute to listen and join.
    private static final Duration NODE_START = Duration.ofMinutes(3);
    private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(2);

    /**
     * @param workDir holds the S3 data and one directory per node
     * @param externalS3 an S3 service to use instead of the embedded server (credentials from its config)
     * @param port the first gateway's port on loopback; 0 picks a free one (each further gateway takes the next
     *     port, or a free one with 0)
     * @param keepAlive the gateways' keep-alive policy
     * @param prefetch whether the gateways have nodes prefetch snapshots before predicted invocations
     * @param gateways how many gateways serve the cluster, 1 to {@link #MAX_GATEWAYS}
     */
    public record Options(int nodes, SchedulerPolicy policy, SnapshotMode mode, long cacheBudgetMib,
            long memoryMib, int slots, int prestart, int port, Path workDir, ThawHome home, S3Config externalS3,
            KeepAlivePolicy keepAlive, SnapshotPrefetch prefetch, int gateways) {
        public static final int MAX_GATEWAYS = 16;

        /** One gateway. */
        public Options(int nodes, SchedulerPolicy policy, SnapshotMode mode, long cacheBudgetMib, long memoryMib,
                int slots, int prestart, int port, Path workDir, ThawHome home, S3Config externalS3,
                KeepAlivePolicy keepAlive, SnapshotPrefetch prefetch) {
            this(nodes, policy, mode, cacheBudgetMib, memoryMib, slots, prestart, port, workDir, home, externalS3,
                    keepAlive, prefetch, 1);
        }

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
            if (gateways < 1 || gateways > MAX_GATEWAYS) {
                throw new IllegalArgumentException("gateways must be 1.." + MAX_GATEWAYS + ", got " + gateways);
            }
            if (port != 0 && port + gateways - 1 > 65535) {
                throw new IllegalArgumentException("gateway ports " + port + ".." + (port + gateways - 1)
                        + " run past 65535");
            }
            if (cacheBudgetMib < 0 || memoryMib < 128 || slots < 1 || prestart < 0 || port < 0 || port > 65535) {
                throw new IllegalArgumentException("cache budget must be >= 0 MiB, memory >= 128 MiB, slots >= 1,"
                        + " prestart >= 0, port 0..65535");
            }
        }

        /** The same cluster served by {@code count} gateways. */
        public Options withGateways(int count) {
            return new Options(nodes, policy, mode, cacheBudgetMib, memoryMib, slots, prestart, port, workDir, home,
                    externalS3, keepAlive, prefetch, count);
        }
    }

    private final EmbeddedS3Server s3;
    private final List<Gateway> gateways;
    private final List<NodeProcess> nodes;
    private final String joinToken;
    /** Stops the node processes if this JVM is stopped (Ctrl-C) before {@link #close()}: they must not outlive it. */
    private final Thread shutdownHook;
    private volatile boolean closed;

    private EmbeddedCluster(EmbeddedS3Server s3, List<Gateway> gateways, List<NodeProcess> nodes, String joinToken) {
        this.s3 = s3;
        this.gateways = List.copyOf(gateways);
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
        List<Gateway> gateways = new ArrayList<>();
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
            // Without a store the registry still outlives the gateways, in the work directory. Every gateway has the
            // same registry and identity key, so each serves every function and accepts every node's credential.
            GatewayConfig shared = store == null ? config.withRegistryDir(options.workDir().resolve("registry"))
                    : config.withS3(store);
            for (int i = 0; i < options.gateways(); i++) {
                int port = options.port() == 0 ? 0 : options.port() + i;
                gateways.add(Gateway.start(shared.withListen(new InetSocketAddress("127.0.0.1", port))));
            }
            List<URI> urls = gateways.stream().map(Gateway::url).toList();
            List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
            for (int i = 1; i <= options.nodes(); i++) {
                String name = "node-" + i;
                List<String> arguments = nodeArguments(options, name, urls, store);
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
            for (Gateway gateway : gateways) {
                awaitMembers(gateway, options.nodes());
            }
            return new EmbeddedCluster(s3, gateways, nodes, joinToken);
        } catch (IOException | StoreException | InterruptedException | RuntimeException e) {
            nodes.forEach(NodeProcess::close);
            gateways.forEach(Gateway::close);
            if (s3 != null) {
                s3.close();
            }
            throw e;
        }
    }

    private static List<String> nodeArguments(Options options, String name, List<URI> gateways, S3Config store) {
        List<String> arguments = new ArrayList<>(List.of("--name=" + name, "--listen=127.0.0.1:0",
                "--gateway=" + String.join(",", gateways.stream().map(URI::toString).toList()),
                "--mode=" + options.mode().label(),
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
                        + " nodes registered with the gateway at " + gateway.url() + " within " + JOIN_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The first gateway's URL. */
    public URI gatewayUrl() {
        return gateways.getFirst().url();
    }

    /** Every gateway's URL, the first first. */
    public List<URI> gatewayUrls() {
        return gateways.stream().map(Gateway::url).toList();
    }

    public String apiToken() {
        return gateways.getFirst().config().apiToken();
    }

    /** The join token the nodes were started with. */
    public String joinToken() {
        return joinToken;
    }

    /** The token {@code node} accepts from this gateway; for benchmarks that call a node directly. */
    public String callToken(String node) {
        return gateways.getFirst().membership().find(node).map(Member::callToken)
                .orElseThrow(() -> new IllegalArgumentException("no node " + node + " in this cluster"));
    }

    /** The first gateway. */
    public Gateway gateway() {
        return gateways.getFirst();
    }

    /** Every gateway, the first first. */
    public List<Gateway> gateways() {
        return gateways;
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
        gateways.forEach(Gateway::close);
        if (s3 != null) {
            s3.close();
        }
    }
}
