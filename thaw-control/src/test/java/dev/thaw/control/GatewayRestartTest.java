package dev.thaw.control;

import dev.thaw.snapshot.testing.TestS3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.MachineShape;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3Config;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable registry through the gateway: a new gateway on the same store serves what the
 * old one deployed, a store that is down answers 503 until it is back, and racing deploys of
 * one function settle on one revision. Real HTTP and the embedded S3 server; real node agents on
 * in-memory sandboxes.
 */
class GatewayRestartTest {
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

    private Gateway gateway(S3Config s3, int port) throws Exception {
        // One identity key for every gateway of a test, as a restarted gateway reads it from its file.
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", port), USER, NODE)
                .withLivenessTimeout(Duration.ofSeconds(2)).withS3(s3).withIdentityKey("restart-test-identity-key")
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")));
        Gateway gateway = Gateway.start(config);
        closing.add(gateway);
        return gateway;
    }

    private EmbeddedS3Server s3(int port) throws Exception {
        EmbeddedS3Server server = EmbeddedS3Server.start(tmp.resolve("s3"), port, "access", "secret-key-123");
        closing.add(server);
        try (S3ObjectStore store = new S3ObjectStore(TestS3.config(server, "thaw"))) {
            store.createBucketIfMissing();
        }
        return server;
    }

    private static DeploymentSpec spec(String function, String revision) {
        return TestNode.spec(function, revision, "layer");
    }

    @Test
    void aNewGatewayOnTheSameStoreServesEveryFunctionAtItsRevision() throws Exception {
        S3Config store = TestS3.config(s3(0), "thaw");
        Gateway first = gateway(store, 0);
        int port = first.url().getPort();
        TestNode node = TestNode.join("n1", first.url(), NODE);
        closing.add(node);
        node.awaitJoined(first);
        FunctionSettings settings = new FunctionSettings(2, 3, 40_000, 5, 6_000);
        first.deployer().deploy(spec("echo", "rev1"), "digest", settings);
        first.deployer().deploy(spec("other", "rev7"), "digest7", FunctionSettings.DEFAULTS);
        first.deployer().deploy(spec("gone", "rev1"), "digest", FunctionSettings.DEFAULTS);
        assertThat(first.deployer().delete("gone")).isTrue();
        List<FunctionView> before = new GatewayClient(first.url(), USER).list();
        first.close();

        long restarted = System.nanoTime();
        Gateway second = gateway(store, port);
        GatewayClient client = new GatewayClient(second.url(), USER);
        assertThat(client.list()).extracting(FunctionView::name, FunctionView::revision, FunctionView::settings)
                .containsExactly(before.stream().map(f -> org.assertj.core.groups.Tuple.tuple(f.name(), f.revision(),
                        f.settings())).toArray(org.assertj.core.groups.Tuple[]::new));
        assertThat(client.list()).extracting(FunctionView::name).containsExactly("echo", "other");
        // The node finds it is unknown, registers again, and is handed every revision.
        await(() -> second.membership().alive().size() == 1);
        GatewayClient.Answer answer = awaitAnswer(client, "echo");
        System.out.printf("gateway restart to first successful invocation: %.0f ms%n",
                (System.nanoTime() - restarted) / 1e6);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(node.deployed("echo", "rev1")).isTrue();
        assertThat(node.deployed("other", "rev7")).isTrue();
        // Generations carry on: a redeploy after the restart does not conflict.
        assertThat(second.deployer().deploy(spec("echo", "rev2"), "digest2", settings).created()).isTrue();
        assertThat(second.deployer().deploy(spec("gone", "rev3"), "digest3", settings).created()).isTrue();
    }

    @Test
    void aStoreThatIsDownIsSaidSoUntilItIsBack() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path data = tmp.resolve("s3");
        {
            EmbeddedS3Server up = s3(port);
            Gateway gateway = gateway(TestS3.config(up, "thaw"), 0);
            gateway.deployer().deploy(spec("echo", "rev1"), "digest", FunctionSettings.DEFAULTS);
            gateway.close();
            up.close();
        }
        S3Config down = new S3Config(java.net.URI.create("http://127.0.0.1:" + port),
                EmbeddedS3Server.REGION, "thaw", "access", "secret-key-123", true);
        Gateway gateway = gateway(down, 0);
        GatewayClient client = new GatewayClient(gateway.url(), USER);
        try {
            client.list();
            throw new AssertionError("an unreadable registry was served");
        } catch (dev.thaw.node.http.ApiClient.ApiException e) {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("registry_unavailable");
            assertThat(e.getMessage()).contains("cannot be read", "127.0.0.1:" + port);
        }
        assertThat(client.status().registryUnavailable()).contains("cannot be read");
        EmbeddedS3Server back = EmbeddedS3Server.start(data, port, "access", "secret-key-123");
        closing.add(back);
        await(() -> gateway.functions().unavailable().isEmpty());
        assertThat(client.list()).extracting(FunctionView::name, FunctionView::revision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("echo", "rev1"));
    }

    @Test
    void aBadRecordIsNamedAndTheOtherFunctionsKeepServing() throws Exception {
        S3Config store = TestS3.config(s3(0), "thaw");
        Gateway first = gateway(store, 0);
        first.deployer().deploy(spec("echo", "rev1"), "digest", FunctionSettings.DEFAULTS);
        first.close();
        String key = "registry/functions/broken/0000000000000000001.json";
        try (S3ObjectStore objects = new S3ObjectStore(store)) {
            objects.put(key, "{\"format\": 1, \"name\": ".getBytes(StandardCharsets.UTF_8));
        }
        Gateway second = gateway(store, 0);
        TestNode node = TestNode.join("n1", second.url(), NODE);
        closing.add(node);
        node.awaitJoined(second);
        GatewayClient client = new GatewayClient(second.url(), USER);
        assertThat(client.list()).extracting(FunctionView::name).containsExactly("echo");
        assertThat(client.invoke("echo", "x".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        GatewayClient.Answer broken = client.invoke("broken", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(broken.status()).isEqualTo(503);
        assertThat(broken.text()).contains("registry_record_unreadable", key, "malformed");
        assertThat(client.status().registryProblems()).singleElement().satisfies(p -> {
            assertThat(p.function()).isEqualTo("broken");
            assertThat(p.key()).isEqualTo(key);
            assertThat(p.serving()).isFalse();
        });
        // A new deploy writes a good generation over the bad one.
        second.deployer().deploy(spec("broken", "rev2"), "digest", FunctionSettings.DEFAULTS);
        assertThat(client.status().registryProblems()).isEmpty();
        GatewayClient.Answer fixed = client.invoke("broken", "x".getBytes(StandardCharsets.UTF_8));
        assertThat(fixed.status()).as(fixed.text()).isEqualTo(200);
    }

    @Test
    void racingDeploysOfOneFunctionSettleOnOneRevisionEverywhere() throws Exception {
        S3Config store = TestS3.config(s3(0), "thaw");
        Gateway gateway = gateway(store, 0);
        TestNode node = TestNode.join("n1", gateway.url(), NODE).awaitJoined(gateway);
        closing.add(node);
        int deploys = 6;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        List<TestNode> joiners = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(deploys + 2)) {
            for (int i = 0; i < deploys; i++) {
                String revision = "rev" + i;
                Callable<Object> deploy = () -> {
                    go.await();
                    return gateway.deployer().deploy(spec("echo", revision), "d" + revision, FunctionSettings.DEFAULTS);
                };
                results.add(pool.submit(deploy));
            }
            // Nodes that join while the deploys run.
            for (int i = 0; i < 2; i++) {
                String name = "joiner" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    TestNode joiner = TestNode.join(name, gateway.url(), NODE);
                    synchronized (joiners) {
                        joiners.add(joiner);
                    }
                    return joiner;
                }));
            }
            go.countDown();
            for (Future<?> r : results) {
                r.get();
            }
        }
        joiners.forEach(closing::add);
        String revision = gateway.functions().find("echo").orElseThrow().revision();
        assertThat(gateway.routers().find("echo").orElseThrow().revision()).isEqualTo(revision);
        try (S3ObjectStore objects = new S3ObjectStore(store)) {
            var loaded = new dev.thaw.control.registry.ObjectStoreRegistry(objects, java.time.InstantSource.system())
                    .load();
            assertThat(loaded.functions()).extracting(f -> f.function().revision()).containsExactly(revision);
            assertThat(loaded.generations()).containsEntry("echo", (long) deploys);
        }
        for (TestNode n : List.of(node, joiners.get(0), joiners.get(1))) {
            await(() -> n.deployed("echo", revision));
        }
        GatewayClient.Answer answer = new GatewayClient(gateway.url(), USER).invoke("echo",
                "x".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).isEqualTo(200);
    }

    /** Invokes until an answer is 200 (the node is back and has the revision), for up to 10 s; the last answer. */
    private static GatewayClient.Answer awaitAnswer(GatewayClient client, String function) {
        java.util.concurrent.atomic.AtomicReference<GatewayClient.Answer> last =
                new java.util.concurrent.atomic.AtomicReference<>();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                last.set(client.invoke(function, "x".getBytes(StandardCharsets.UTF_8)));
                return last.get().status() == 200;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the caller asserts on the last answer, which says what went wrong
        }
        return last.get();
    }

    private static void await(BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }
}
