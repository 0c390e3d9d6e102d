package dev.thaw.control;

import dev.thaw.snapshot.testing.TestS3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.registry.ObjectStoreRegistry;
import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3Config;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways over one registry in the embedded S3 server, and node agents (on in-memory sandboxes) that
 * register with both: a function deployed or deleted through one is served or refused by the other, a write
 * that raced the other gateway's builds on it, and a start a node refuses because another gateway filled it
 * goes to the next node.
 */
class SeveralGatewaysTest {
    private static final String USER = GatewayTest.USER;
    private static final String NODE = GatewayTest.NODE;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private S3Config store() throws Exception {
        EmbeddedS3Server server = EmbeddedS3Server.start(tmp.resolve("s3"), 0, "access", "secret-key-123");
        closing.add(server);
        S3Config config = TestS3.config(server, "thaw");
        try (S3ObjectStore store = new S3ObjectStore(config)) {
            store.createBucketIfMissing();
        }
        return config;
    }

    /** A gateway that reads the registry only when a test asks it to, or on a miss. */
    private Gateway gateway(S3Config s3, Duration liveness) throws Exception {
        return gateway(s3, liveness, Duration.ofHours(1));
    }

    private Gateway gateway(S3Config s3, Duration liveness, Duration refresh) throws Exception {
        // Gateways of one cluster share the identity key, so a node's credential is good at each.
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), USER, NODE)
                .withLivenessTimeout(liveness).withS3(s3).withIdentityKey("several-gateways-identity-key")
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")));
        Gateway gateway = Gateway.start(config, refresh);
        closing.add(gateway);
        return gateway;
    }

    private static DeploymentSpec spec(String function, String revision) {
        return TestNode.spec(function, revision, "layer");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFunctionDeployedThroughOneGatewayIsServedAndDeletedThroughTheOther() throws Exception {
        S3Config store = store();
        Gateway a = gateway(store, Duration.ofSeconds(5));
        Gateway b = gateway(store, Duration.ofSeconds(5));
        TestNode node = TestNode.joinAll("n1", List.of(a.url(), b.url()), NODE);
        closing.add(node);
        node.awaitJoined(a).awaitJoined(b);

        a.deployer().deploy(spec("echo", "rev1"), "digest1", FunctionSettings.DEFAULTS);
        // b has not read the registry since: the call that misses reads it before it would answer 404.
        GatewayClient throughB = new GatewayClient(b.url(), USER);
        GatewayClient.Answer answer = throughB.invoke("echo", bytes("x"));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(throughB.list()).extracting(FunctionView::name, FunctionView::revision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("echo", "rev1"));

        // A redeploy through b: a learns it on its next refresh, and routes the new revision.
        assertThat(b.deployer().deploy(spec("echo", "rev2"), "digest2", FunctionSettings.DEFAULTS).created())
                .isTrue();
        assertThat(a.registrySync().refresh()).isEqualTo(1);
        assertThat(a.functions().find("echo").orElseThrow().revision()).isEqualTo("rev2");
        assertThat(a.routers().find("echo").orElseThrow().revision()).isEqualTo("rev2");
        assertThat(a.registrySync().refresh()).as("nothing changed since").isZero();
        assertThat(new GatewayClient(a.url(), USER).invoke("echo", bytes("y")).status()).isEqualTo(200);

        // A delete through a: b refuses the function once it has read the registry.
        assertThat(a.deployer().delete("echo")).isTrue();
        assertThat(b.registrySync().refresh()).isEqualTo(1);
        assertThat(throughB.invoke("echo", bytes("z")).status()).isEqualTo(404);
        assertThat(b.routers().find("echo")).isEmpty();

        // A name no gateway deployed is 404 through both, after one read each.
        assertThat(throughB.invoke("never", bytes("z")).status()).isEqualTo(404);
        assertThat(new GatewayClient(a.url(), USER).invoke("never", bytes("z")).status()).isEqualTo(404);
    }

    @Test
    void theRefreshRunsOnItsOwnWithoutACallAndNodesGetTheRevisionFromBoth() throws Exception {
        S3Config store = store();
        Gateway a = gateway(store, Duration.ofSeconds(5), Duration.ofMillis(100));
        Gateway b = gateway(store, Duration.ofSeconds(5), Duration.ofMillis(100));
        TestNode node = TestNode.joinAll("n1", List.of(a.url(), b.url()), NODE);
        closing.add(node);
        node.awaitJoined(a).awaitJoined(b);
        a.deployer().deploy(spec("echo", "rev1"), "digest1", FunctionSettings.DEFAULTS);
        // b routes it and marks the node as holding the revision, so it can place there.
        await(() -> b.routers().find("echo").isPresent()
                && b.membership().find("n1").orElseThrow().hasDeployment("echo", "rev1"), Duration.ofSeconds(15));
        assertThat(node.deployed("echo", "rev1")).isTrue();
    }

    @Test
    void aWriteThatRacedTheOtherGatewayBuildsOnItsWriteInsteadOfFailing() throws Exception {
        S3Config store = store();
        Gateway a = gateway(store, Duration.ofSeconds(5));
        Gateway b = gateway(store, Duration.ofSeconds(5));
        TestNode node = TestNode.joinAll("n1", List.of(a.url(), b.url()), NODE);
        closing.add(node);
        node.awaitJoined(a).awaitJoined(b);
        a.deployer().deploy(spec("echo", "rev1"), "digest1", FunctionSettings.DEFAULTS);
        // b deploys the same name before it has read a's write: generation 0 is stale, so it reads and retries.
        assertThat(b.functions().find("echo")).isEmpty();
        assertThat(b.deployer().deploy(spec("echo", "rev2"), "digest2", FunctionSettings.DEFAULTS).created())
                .isTrue();
        // And a deletes with its stale generation 1: it reads b's write, then deletes.
        assertThat(a.deployer().delete("echo")).isTrue();
        try (S3ObjectStore objects = new S3ObjectStore(store)) {
            var loaded = new ObjectStoreRegistry(objects, InstantSource.system()).load();
            assertThat(loaded.functions()).isEmpty();
            assertThat(loaded.generations()).containsEntry("echo", 3L);
        }
    }

    @Test
    void aStartTheFirstNodeRefusesAsFullGoesToTheNextOne() throws Exception {
        S3Config store = store();
        // A long liveness timeout: the node whose heartbeats are cut stays alive in the gateway's eyes, with the
        // free slots its last report named, as another gateway's placement would see a node it just filled.
        Gateway a = gateway(store, Duration.ofMinutes(5));
        TestNode n1 = TestNode.joinAll("n1", List.of(a.url()), NODE);
        closing.add(n1);
        TestNode n2 = TestNode.joinAll("n2", List.of(a.url()), NODE);
        closing.add(n2);
        n1.awaitJoined(a);
        n2.awaitJoined(a);
        a.deployer().deploy(spec("echo", "rev1"), "digest1", FunctionSettings.DEFAULTS);
        await(() -> n1.deployed("echo", "rev1") && n2.deployed("echo", "rev1"), Duration.ofSeconds(15));
        n1.partition();
        n1.occupy(n1.service().freeSlots());
        assertThat(a.membership().find("n1").orElseThrow().status().slotsFree()).as("the stale report")
                .isPositive();

        GatewayClient.Answer answer = new GatewayClient(a.url(), USER).invoke("echo", bytes("x"));
        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(n1.startRequests).as("n1 was asked first (ties go by name) and refused")
                .anyMatch(r -> r.function().equals("echo"));
        assertThat(n1.service().status(n1.url()).instances()).noneMatch(i -> i.function().equals("echo"));
        assertThat(n2.service().status(n2.url()).instances()).anyMatch(i -> i.function().equals("echo"));
    }

    private static void await(BooleanSupplier condition, Duration atMost) {
        Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }
}
