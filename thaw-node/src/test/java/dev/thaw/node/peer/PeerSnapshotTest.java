package dev.thaw.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.FileDigests;
import dev.thaw.api.MachineShape;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.http.ClientOptions;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.http.ApiClient;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.node.service.NodeServer;
import dev.thaw.node.service.NodeService;
import dev.thaw.node.service.NodeServiceConfig;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.testkit.InMemoryDriver;
import dev.thaw.testkit.TcpRelay;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.PeerSource;
import dev.thaw.wire.v1.node.StartReport;
import dev.thaw.wire.v1.node.StartRequest;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes reading snapshots from each other, on real node servers over real HTTP with the embedded
 * S3 server: a snapshot the store does not have yet is restored from its holder instead of booted,
 * the peer routes refuse what they must, and a corrupt or unreachable peer falls back to the store.
 */
class PeerSnapshotTest {
    private static final String TOKEN = "node-secret";
    private static final String FUNCTION = "echo";
    private static final String REVISION = "r1";

    @TempDir
    Path tmp;

    private TestS3 s3;
    private S3ObjectStore objects;
    private GuestKernel kernel;
    private Path layer;
    private String layerDigest;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        s3 = TestS3.start();
        objects = s3.newStore();
        ThawHome home = new ThawHome(tmp.resolve("home"));
        layer = Files.createDirectories(home.images()).resolve("layer");
        Files.createDirectories(home.bases());
        Files.writeString(layer, "image");
        layerDigest = FileDigests.sha256Hex(layer);
        new SnapshotStore(objects).publishImage(layerDigest, layer, "test");
        kernel = new GuestKernel("in-memory", home.root().resolve("vmlinuz"), home.root().resolve("initramfs"),
                "kernel");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        s3.close();
    }

    private record Node(NodeServer server, InMemoryDriver driver) {
        NodeService service() {
            return server.service();
        }

        URI url() {
            return server.url();
        }
    }

    private Node node(String name) throws Exception {
        NodeServiceConfig d = NodeServiceConfig.defaults(name, TOKEN, tmp.resolve(name), tmp.resolve("home"));
        NodeServiceConfig config = new NodeServiceConfig(d.name(), d.host(), d.port(), d.publicUrl(), d.token(),
                d.gateways(), d.heartbeatInterval(), d.memoryMib(), d.slots(), d.bodyLimitBytes(), SnapshotMode.REMOTE,
                d.workDir(), d.cacheBudgetBytes(), d.prestart(), Optional.of(s3.config()), d.thawHome(),
                d.cacheEviction());
        InMemoryDriver driver = new InMemoryDriver(name);
        NodeServer server = NodeServer.start(NodeService.open(config, kernel, driver));
        open.add(server);
        server.service().deploy(FUNCTION, REVISION, new DeploymentSpec(FUNCTION, REVISION, MachineShape.DEFAULT,
                5_000, 5_000, "kernel", List.of(layerDigest), List.of()));
        return new Node(server, driver);
    }

    /** The holder boots once; its snapshot is taken and, as before publication, the store has no manifest. */
    private Node holderBeforePublication() throws Exception {
        Node a = node("node-a");
        InstanceView first = a.service().start(new StartRequest(FUNCTION, REVISION));
        assertThat(first.start().tier()).isEqualTo(StartReport.Tier.BOOT);
        a.service().awaitPublications();
        objects.delete("snapshots/" + FUNCTION + "/" + REVISION + "/" + SnapshotInfo.FILE_NAME);
        return a;
    }

    private static PeerSource peer(Node holder, String caller) {
        return new PeerSource(holder.service().config().name(), holder.url().toString(),
                NodeTokens.peerToken(TOKEN, caller), true);
    }

    private static StartRequest startWith(Node holder, List<PeerSource> peers) {
        return new StartRequest(FUNCTION, REVISION, null,
                Map.of(holder.service().config().name(), holder.service().signingKey()), peers);
    }

    @Test
    void aSnapshotTheStoreDoesNotHaveYetIsRestoredFromItsHolderInsteadOfBooted() throws Exception {
        Node a = holderBeforePublication();
        Node b = node("node-b");

        InstanceView started = b.service().start(startWith(a, List.of(peer(a, "node-b"))));
        b.service().invoke(started.id(), "hi".getBytes(StandardCharsets.UTF_8), Optional.empty());
        b.service().awaitPublications();

        assertThat(b.driver().boots()).isZero();
        assertThat(b.driver().restores()).isEqualTo(1);
        assertThat(started.start().tier()).isEqualTo(StartReport.Tier.REMOTE);
        assertThat(started.start().snapshotPeerBytes()).isPositive(); // the device state, read before the restore
        SourceCounters.Snapshot counted = b.service().sourceCounters();
        assertThat(counted.peerManifests()).isEqualTo(1);
        assertThat(counted.peerBytes()).isPositive();
        assertThat(counted.s3Bytes()).isZero();
        assertThat(counted.peerCorrupt()).isZero();
    }

    @Test
    void twoNodesFetchingOneRevisionInTurnReadEachChunkFromTheStoreOnce() throws Exception {
        Node a = node("node-a");
        a.service().start(new StartRequest(FUNCTION, REVISION));
        a.service().awaitPublications(); // published: the store has the whole snapshot
        Node b = node("node-b");
        Node c = node("node-c");
        Map<String, String> signers = Map.of("node-a", a.service().signingKey());
        SnapshotInfo info = new SnapshotStore(objects).findSnapshot(FUNCTION, REVISION, TrustedSigners.of(signers))
                .orElseThrow();
        long distinct = info.files().values().stream().flatMap(f -> f.chunks().stream()).distinct().count();

        // node-b is named node-c as a peer, as a burst's nodes are named to each other: node-c holds nothing
        // yet, answers 404 for every chunk, and node-b reads from the store what its restore needs, holding
        // part of the revision afterwards (its memory comes on first touch).
        InstanceView first = b.service().start(new StartRequest(FUNCTION, REVISION, null, signers,
                List.of(peer(c, "node-b"))));
        SourceCounters.Snapshot byB = b.service().sourceCounters();
        assertThat(first.start().tier()).isEqualTo(StartReport.Tier.REMOTE);
        assertThat(byB.s3Chunks()).as("%s", byB).isPositive();
        assertThat(byB.peerChunks()).as("%s", byB).isZero();
        assertThat(byB.peerFailures()).as("a 404 is an answer, not a failure: %s", byB).isZero();

        // node-c, right after, with node-b, the partial holder, as a peer: what node-b read comes from node-b,
        // and only what node-b lacks from the store.
        InstanceView second = c.service().start(new StartRequest(FUNCTION, REVISION, null, signers,
                List.of(peer(b, "node-c"))));
        SourceCounters.Snapshot byC = c.service().sourceCounters();
        assertThat(second.start().tier()).isEqualTo(StartReport.Tier.REMOTE);
        assertThat(second.start().snapshotPeerBytes()).isPositive();
        assertThat(byC.peerChunks()).as("%s", byC).isPositive();
        assertThat(byC.peerFailures() + byC.peerCorrupt()).as("%s", byC).isZero();
        assertThat(byB.s3Chunks() + byC.s3Chunks()).as("store reads by node-b %s and node-c %s of %d chunks", byB,
                byC, distinct).isLessThanOrEqualTo(distinct);
        assertThat(b.driver().boots() + c.driver().boots()).isZero();
    }

    @Test
    void aStartGivenNoPeersCountsWhatItReadsFromTheStore() throws Exception {
        Node a = node("node-a");
        a.service().start(new StartRequest(FUNCTION, REVISION));
        a.service().awaitPublications();
        Node b = node("node-b");
        InstanceView started = b.service().start(new StartRequest(FUNCTION, REVISION, null,
                Map.of("node-a", a.service().signingKey()), List.of()));
        SourceCounters.Snapshot counted = b.service().sourceCounters();
        assertThat(started.start().tier()).isEqualTo(StartReport.Tier.REMOTE);
        assertThat(counted.s3Chunks()).as("%s", counted).isPositive();
        assertThat(counted.s3Bytes()).as("%s", counted).isPositive();
        assertThat(counted.peerChunks()).as("%s", counted).isZero();
    }

    @Test
    void withoutAPeerTheSameStartBoots() throws Exception {
        holderBeforePublication();
        Node b = node("node-b");
        b.service().start(new StartRequest(FUNCTION, REVISION));
        assertThat(b.driver().boots()).isEqualTo(1);
    }

    @Test
    void whenTheOnlyHolderDiesBeforePublicationTheNextStartBootsCleanly() throws Exception {
        Node a = holderBeforePublication();
        PeerSource gone = peer(a, "node-b");
        a.server().close(); // the origin dies; the store never got the manifest
        Node b = node("node-b");

        InstanceView started = b.service().start(startWith(a, List.of(gone)));

        assertThat(started.start().tier()).isEqualTo(StartReport.Tier.BOOT);
        assertThat(b.driver().boots()).isEqualTo(1);
        assertThat(b.service().sourceCounters().peerFailures()).isPositive();
        assertThat(b.service().invoke(started.id(), "hi".getBytes(StandardCharsets.UTF_8), Optional.empty())
                .outcome()).isEqualTo(dev.thaw.sandbox.InvocationResult.Outcome.OK);
    }

    @Test
    void aManifestFromAPeerIsVerifiedWithThePeersNodeKey() throws Exception {
        Node a = holderBeforePublication();
        Node b = node("node-b");
        Node c = node("node-c");
        // The start names only node-c as a signer: node-a's manifest is refused, and node-b boots.
        b.service().start(new StartRequest(FUNCTION, REVISION, null,
                Map.of("node-c", c.service().signingKey()), List.of(peer(a, "node-b"))));
        assertThat(b.driver().boots()).isEqualTo(1);
        assertThat(b.driver().restores()).isZero();
    }

    @Test
    void aPeerThatServesACorruptChunkIsMarkedBadAndTheChunkComesFromTheStore() throws Exception {
        Node a = holderBeforePublication();
        // Damage the holder's cached memory file: it still serves it, as a bad disk would.
        Path cached;
        try (var files = Files.walk(a.service().config().nodeConfig().cacheDir())) {
            cached = files.filter(p -> p.getFileName().toString().equals("mem") && Files.isRegularFile(p))
                    .findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(cached);
        bytes[0] ^= 1;
        Files.write(cached, bytes);
        Node b = node("node-b");

        InstanceView started = b.service().start(startWith(a, List.of(peer(a, "node-b"))));
        b.service().invoke(started.id(), "hi".getBytes(StandardCharsets.UTF_8), Optional.empty());
        b.service().awaitPublications();

        assertThat(b.driver().boots()).isZero();
        SourceCounters.Snapshot counted = b.service().sourceCounters();
        assertThat(counted.peerCorrupt()).isEqualTo(1);
        assertThat(counted.s3Bytes()).isPositive();
    }

    @Test
    void aPeerThatIsGoneFallsBackToTheStore() throws Exception {
        Node a = node("node-a");
        a.service().start(new StartRequest(FUNCTION, REVISION));
        a.service().awaitPublications(); // published: the store has it all
        TcpRelay relay = TcpRelay.to(a.url());
        open.add(relay);
        relay.cut();
        Node b = node("node-b");
        PeerSource gone = new PeerSource("node-a", relay.url(a.url()).toString(), NodeTokens.peerToken(TOKEN, "node-b"),
                true);

        InstanceView started = b.service().start(startWith(a, List.of(gone)));
        b.service().invoke(started.id(), "hi".getBytes(StandardCharsets.UTF_8), Optional.empty());
        b.service().awaitPublications();

        assertThat(b.driver().boots()).isZero();
        SourceCounters.Snapshot counted = b.service().sourceCounters();
        assertThat(counted.peerFailures()).isPositive();
        assertThat(counted.peerBytes()).isZero();
        assertThat(counted.s3Bytes()).isPositive();
    }

    @Test
    void thePeerRoutesServeOnlyAPeerCredentialAndOnlyWhatTheNodeHolds() throws Exception {
        Node a = holderBeforePublication();
        String prefix = "v1/peer/snapshots/" + FUNCTION + "/" + REVISION + "/";
        ApiClient peer = client(a, NodeTokens.peerToken(TOKEN, "node-b"));

        HttpResponse<byte[]> info = get(peer, prefix + "info.json", Map.of());
        assertThat(info.statusCode()).isEqualTo(200);
        SnapshotInfo manifest = dev.thaw.api.Json.mapper().readValue(info.body(), SnapshotInfo.class);
        String digest = manifest.files().get("mem").chunks().getFirst();
        assertThat(get(peer, prefix + "info.sig", Map.of()).statusCode()).isEqualTo(200);

        // Read as the store would be, the pair verifies under node-a's key and no other.
        PeerObjectStore asStore = new PeerObjectStore("node-a", a.url(), NodeTokens.peerToken(TOKEN, "node-b"),
                ClientOptions.of(Duration.ofSeconds(2)), Duration.ofSeconds(5));
        open.add(asStore);
        assertThat(new SnapshotStore(asStore).findSnapshot(FUNCTION, REVISION,
                TrustedSigners.of(Map.of("node-a", a.service().signingKey())))).isPresent();

        HttpResponse<byte[]> chunk = get(peer, "v1/peer/chunks/" + digest, Map.of());
        assertThat(chunk.statusCode()).isEqualTo(200);
        assertThat(SourcedObjectStore.problem(chunk.body(), digest)).isNull();
        HttpResponse<byte[]> part = get(peer, "v1/peer/chunks/" + digest, Map.of("Range", "bytes=0-3"));
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).hasSize(4);
        assertThat(get(peer, "v1/peer/chunks/" + digest, Map.of("Range", "bytes=" + chunk.body().length + "-"))
                .statusCode()).isEqualTo(416);

        // Not held, malformed, outside the cache.
        assertThat(get(peer, "v1/peer/chunks/" + "0".repeat(64), Map.of()).statusCode()).isEqualTo(404);
        assertThat(get(peer, "v1/peer/chunks/XYZ", Map.of()).statusCode()).isEqualTo(400);
        assertThat(get(peer, "v1/peer/chunks/..%2F..%2Fidentity", Map.of()).statusCode()).isIn(400, 404);
        assertThat(get(peer, "v1/peer/snapshots/" + FUNCTION + "/r2/info.json", Map.of()).statusCode())
                .isEqualTo(404);
        assertThat(get(peer, prefix + "mem", Map.of()).statusCode()).isEqualTo(404);

        // Credentials: none, the call token, a forged or another holder's peer token are all refused;
        // a peer token opens nothing but the peer routes.
        assertThat(get(client(a, ""), prefix + "info.json", Map.of()).statusCode()).isEqualTo(401);
        assertThat(get(client(a, TOKEN), prefix + "info.json", Map.of()).statusCode()).isEqualTo(401);
        assertThat(get(client(a, "peer:node-b:" + "0".repeat(64)), prefix + "info.json", Map.of()).statusCode())
                .isEqualTo(401);
        assertThat(get(client(a, NodeTokens.peerToken("another node's call token", "node-b")), prefix + "info.json",
                Map.of()).statusCode()).isEqualTo(401);
        assertThat(get(peer, "v1/status", Map.of()).statusCode()).isEqualTo(401);
        assertThat(peer.call("POST", "v1/instances", "{}".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"), Duration.ofSeconds(5)).statusCode()).isEqualTo(401);
    }

    private ApiClient client(Node node, String token) {
        ApiClient client = new ApiClient(node.url(), token, Duration.ofSeconds(5));
        open.add(client);
        return client;
    }

    private static HttpResponse<byte[]> get(ApiClient client, String path, Map<String, String> headers)
            throws Exception {
        return client.call("GET", path, null, headers, Duration.ofSeconds(10));
    }
}
