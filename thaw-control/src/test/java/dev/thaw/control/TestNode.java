package dev.thaw.control;

import dev.thaw.api.MachineShape;
import dev.thaw.node.RevisionPresence;
import dev.thaw.node.SnapshotMode;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.StartRequest;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.node.service.NodeRequestException;
import dev.thaw.node.service.NodeServer;
import dev.thaw.node.service.NodeService;
import dev.thaw.node.service.NodeServiceConfig;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.testkit.InMemoryDriver;
import dev.thaw.testkit.TcpRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real node agent (its {@link NodeServer}, service, runtime and cache, over real HTTP) on the
 * in-memory sandbox driver, joined to a gateway: what the gateway tests run against instead of QEMU.
 * Its link to the gateway goes through a {@link TcpRelay}, so a test can partition it.
 */
final class TestNode implements AutoCloseable {
    /** The Thaw home of these nodes: no kernel is built, and image layers are small files under images/. */
    static final ThawHome HOME = new ThawHome(Path.of("target", "test-node-home").toAbsolutePath());
    /** The kernel digest the nodes run, and that {@link #spec} deployments name. */
    static final String KERNEL_DIGEST = "kernel";
    static final Duration HEARTBEAT = Duration.ofMillis(100);

    final String name;
    final InMemoryDriver driver;
    /** Revisions ("function/revision") the gateway asked this node to prefetch, in order, and the requests. */
    final List<String> prefetches = new CopyOnWriteArrayList<>();
    final List<PrefetchRequest> prefetchRequests = new CopyOnWriteArrayList<>();
    /** The start requests this node accepted, in order. */
    final List<StartRequest> startRequests = new CopyOnWriteArrayList<>();
    private final Path workDir;
    /** One relay per gateway the node registers with, in the order given. */
    private final List<TcpRelay> toGateways;
    private final NodeServer server;
    private final List<String> occupying = new ArrayList<>();

    private TestNode(String name, InMemoryDriver driver, Path workDir, List<TcpRelay> toGateways,
            NodeServer server) {
        this.name = name;
        this.driver = driver;
        this.workDir = workDir;
        this.toGateways = List.copyOf(toGateways);
        this.server = server;
        server.service().onPrefetch((revision, request) -> {
            prefetchRequests.add(request);
            prefetches.add(revision);
        });
        server.service().onStartRequest(startRequests::add);
    }

    /** A node named {@code name} that joins the gateway at {@code gateway} with the join token. */
    static TestNode join(String name, URI gateway, String joinToken) throws IOException {
        return join(name, gateway, joinToken, SnapshotMode.LOCAL);
    }

    /** A node that keeps snapshots as {@code mode} says ({@code DISABLED}: it never caches one). */
    static TestNode join(String name, URI gateway, String joinToken, SnapshotMode mode) throws IOException {
        return join(name, gateway, joinToken, HOME, new GuestKernel("in-memory", HOME.root().resolve("vmlinuz"),
                HOME.root().resolve("initramfs"), KERNEL_DIGEST), mode);
    }

    /** A node on {@code home}'s images that runs {@code kernel} (for deployments built there). */
    static TestNode join(String name, URI gateway, String joinToken, ThawHome home, GuestKernel kernel)
            throws IOException {
        return join(name, gateway, joinToken, home, kernel, SnapshotMode.LOCAL);
    }

    private static TestNode join(String name, URI gateway, String joinToken, ThawHome home, GuestKernel kernel,
            SnapshotMode mode) throws IOException {
        return join(name, List.of(gateway), joinToken, home, kernel, mode);
    }

    /** A node that registers and heartbeats with every gateway of {@code gateways}. */
    static TestNode joinAll(String name, List<URI> gateways, String joinToken) throws IOException {
        return join(name, gateways, joinToken, HOME, new GuestKernel("in-memory", HOME.root().resolve("vmlinuz"),
                HOME.root().resolve("initramfs"), KERNEL_DIGEST), SnapshotMode.LOCAL);
    }

    private static TestNode join(String name, List<URI> gateways, String joinToken, ThawHome home,
            GuestKernel kernel, SnapshotMode mode) throws IOException {
        Files.createDirectories(home.images());
        Files.createDirectories(home.bases());
        Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
        Path workDir = Files.createTempDirectory(target, "node-" + name + "-");
        List<TcpRelay> relays = new ArrayList<>();
        InMemoryDriver driver = new InMemoryDriver(name);
        try {
            List<URI> urls = new ArrayList<>();
            for (URI gateway : gateways) {
                TcpRelay relay = TcpRelay.to(gateway);
                relays.add(relay);
                urls.add(relay.url(gateway));
            }
            NodeServiceConfig config = NodeServiceConfig.defaults(name, joinToken, workDir.resolve("work"),
                    home.root()).withGateways(urls, HEARTBEAT).withMode(mode);
            NodeServer server = NodeServer.start(NodeService.open(config, kernel, driver));
            return new TestNode(name, driver, workDir, relays, server);
        } catch (IOException | RuntimeException e) {
            driver.close();
            relays.forEach(TcpRelay::close);
            FileTrees.deleteQuietly(workDir);
            throw e;
        }
    }

    /** A deployment of {@code function} on image layers named {@code layers}, kept as small files on the nodes. */
    static DeploymentSpec spec(String function, String revision, String... layers) {
        List<String> paths = new ArrayList<>();
        try {
            Files.createDirectories(HOME.bases());
            for (String layer : layers) {
                Path file = Files.createDirectories(HOME.images()).resolve(layer);
                if (!Files.exists(file)) {
                    Files.writeString(file, "image " + layer);
                }
                paths.add(file.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DeploymentSpec(function, revision, MachineShape.DEFAULT, 5_000, 5_000, KERNEL_DIGEST,
                List.of(layers), paths);
    }

    /** Waits until {@code gateway} counts this node alive and has its first heartbeat (as a scheduler needs); returns it. */
    TestNode awaitJoined(Gateway gateway) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> gateway.membership().find(name).filter(m -> m.alive() && m.status() != null)
                        .isPresent());
        return this;
    }

    URI url() {
        return server.url();
    }

    NodeService service() {
        return server.service();
    }

    boolean deployed(String function, String revision) {
        return service().deployment(function, revision).isPresent();
    }

    NodeStatus status() {
        return service().status(url());
    }

    /** The node's own token, made when it joined. */
    String nodeToken() throws IOException {
        return new IdentityFile(workDir.resolve("work")).load(name).orElseThrow().token();
    }

    /** Cuts the node's connection to the gateway: its heartbeats stop reaching it. The gateway still reaches the node. */
    void partition() {
        toGateways.forEach(TcpRelay::cut);
    }

    void reconnect() {
        toGateways.forEach(TcpRelay::heal);
    }

    /** Caches {@code spec}'s snapshot on this node, as an earlier start there would have. */
    void cache(DeploymentSpec spec) throws NodeRequestException {
        service().deploy(spec.function(), spec.revision(), spec);
        String id = service().start(new StartRequest(spec.function(), spec.revision())).id();
        service().stop(id);
    }

    /**
     * Makes this node report {@code presentBytes} of {@code totalBytes} of the revision's snapshot as here, as a
     * node whose chunks of it came with other revisions would; other revisions are measured as before.
     */
    void holdPart(String function, String revision, long presentBytes, long totalBytes) {
        RevisionPresence measured = service().presence();
        service().measurePresenceWith(new RevisionPresence() {
            @Override
            public long presentBytes(String f, String r) {
                return f.equals(function) && r.equals(revision) ? presentBytes : measured.presentBytes(f, r);
            }

            @Override
            public long totalBytes(String f, String r) {
                return f.equals(function) && r.equals(revision) ? totalBytes : measured.totalBytes(f, r);
            }
        });
    }

    /** Takes {@code slots} of this node's slots with instances no gateway knows, as other work would. */
    void occupy(int slots) throws NodeRequestException {
        DeploymentSpec filler = spec("filler", "rev1", "filler-layer");
        service().deploy(filler.function(), filler.revision(), filler);
        for (int i = 0; i < slots; i++) {
            occupying.add(service().start(new StartRequest(filler.function(), filler.revision())).id());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            toGateways.forEach(TcpRelay::close);
            FileTrees.deleteQuietly(workDir);
        }
    }
}
