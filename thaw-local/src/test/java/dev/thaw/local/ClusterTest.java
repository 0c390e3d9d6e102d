package dev.thaw.local;

import dev.thaw.snapshot.testing.TestS3;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.snapshot.store.S3ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real cluster on loopback: the embedded S3 server, the gateway, and two node
 * agents as their own processes running QEMU guests. Tests run in order on one
 * cluster (each boot costs seconds under TCG); the last one kills a node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long SHORT_KEEP_ALIVE = 1500;

    private Path work;
    private EmbeddedCluster cluster;
    private GatewayClient client;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("thaw-cluster-test");
        cluster = startCluster(SchedulerPolicy.SNAPSHOT_AWARE, work.resolve("aware"));
        client = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        FileTrees.deleteQuietly(work);
    }

    static EmbeddedCluster startCluster(SchedulerPolicy policy, Path dir) throws Exception {
        return EmbeddedCluster.start(new EmbeddedCluster.Options(2, policy, SnapshotMode.REMOTE, 2048, 2048, 4, 0, 0,
                dir, TestGuests.home(), null));
    }

    @Test
    @Order(1)
    void keepAliveExpiryThenEveryColdStartIsRestoredOnTheNodeHoldingTheSnapshot() throws Exception {
        deploy(client, "hello", settings(1, 4, SHORT_KEEP_ALIVE));
        GatewayClient.Answer first = invoke(client, "hello", "thaw");
        assertThat(first.header("X-Thaw-Start")).isEqualTo("boot");
        String holder = first.header("X-Thaw-Node");
        assertThat(invoke(client, "hello", "again").header("X-Thaw-Start")).isEqualTo("warm");
        int onHolder = 0;
        int rounds = 5;
        for (int i = 0; i < rounds; i++) {
            awaitNoInstances(client, "hello");
            GatewayClient.Answer cold = invoke(client, "hello", "round " + i);
            assertThat(cold.header("X-Thaw-Start")).isIn("clone", "local", "remote");
            if (holder.equals(cold.header("X-Thaw-Node"))) {
                onHolder++;
                assertThat(cold.header("X-Thaw-Start")).isIn("clone", "local");
            }
            assertThat(Double.parseDouble(cold.header("X-Thaw-Init-Ms"))).isPositive();
        }
        assertThat(onHolder).isEqualTo(rounds);

        // The same scoring, as kube-scheduler would ask for it, over the cluster's live cache state.
        String revision = client.describe("hello").revision();
        String args = """
                {"pod": {"metadata": {"name": "hello-abc", "namespace": "default",
                         "labels": {"thaw.dev/function": "hello", "thaw.dev/revision": "%s"}},
                         "spec": {"containers": [{"name": "fn", "image": "thaw"}]}},
                 "nodenames": ["node-1", "node-2"]}""".formatted(revision);
        java.net.http.HttpResponse<String> ranked = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(cluster.gatewayUrl().resolve("/extender/prioritize"))
                        .header("Authorization", "Bearer " + cluster.apiToken())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(args)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ranked.statusCode()).isEqualTo(200);
        var scores = dev.thaw.api.Json.mapper().readTree(ranked.body());
        String other = holder.equals("node-1") ? "node-2" : "node-1";
        long holderScore = -1;
        long otherScore = -1;
        for (var entry : scores) {
            if (entry.get("host").asText().equals(holder)) {
                holderScore = entry.get("score").asLong();
            } else if (entry.get("host").asText().equals(other)) {
                otherScore = entry.get("score").asLong();
            }
        }
        assertThat(holderScore).isGreaterThan(otherScore);
    }

    @Test
    @Order(2)
    void theTwoPoliciesPlaceAColdStartDifferentlyWhenTheHolderIsBusier() throws Exception {
        // Under snapshot-aware, hello's holder still wins with one other instance on it ...
        String holder = holderOfHello();
        awaitNoInstances(client, "hello");
        awaitReported(client, holder, "hello", false);
        deploy(client, "busy", settings(1, 1, 60_000), copyOfHello("busy"));
        invokeOn(client, "busy", holder);
        awaitReported(client, holder, "busy", true);
        GatewayClient.Answer aware = invoke(client, "hello", "aware");
        assertThat(aware.header("X-Thaw-Node")).isEqualTo(holder);
        assertThat(aware.header("X-Thaw-Start")).isIn("clone", "local");

        // ... while spread, blind to caches, sends it to the idle node, which fetches the snapshot from S3.
        try (EmbeddedCluster spread = startCluster(SchedulerPolicy.SPREAD, work.resolve("spread"))) {
            GatewayClient spreadClient = new GatewayClient(spread.gatewayUrl(), spread.apiToken());
            deploy(spreadClient, "hello", settings(1, 4, SHORT_KEEP_ALIVE));
            String spreadHolder = invoke(spreadClient, "hello", "first").header("X-Thaw-Node");
            awaitNoInstances(spreadClient, "hello");
            awaitReported(spreadClient, spreadHolder, "hello", false);
            deploy(spreadClient, "busy", settings(1, 1, 60_000), copyOfHello("busy"));
            invokeOn(spreadClient, "busy", spreadHolder);
            awaitReported(spreadClient, spreadHolder, "busy", true);
            GatewayClient.Answer blind = invoke(spreadClient, "hello", "spread");
            assertThat(blind.header("X-Thaw-Node")).isNotEqualTo(spreadHolder);
            assertThat(blind.header("X-Thaw-Start")).isEqualTo("remote");
        }
    }

    @Test
    @Order(3)
    void concurrencyLimitAndQueueOverflow() throws Exception {
        deploy(client, "slow", settings(1, 1, 60_000, 1, 20_000), copyOfHello("slow"));
        invoke(client, "slow", "warm up");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Callable<GatewayClient.Answer>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(() -> client.invoke("slow", "sleep:1500".getBytes(UTF_8)));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<GatewayClient.Answer> f : pool.invokeAll(calls)) {
                statuses.add(f.get().status());
            }
            // one instance, one request at a time, one queued: the third is turned away
            assertThat(statuses).containsExactlyInAnyOrder(200, 200, 429);
            assertThat(client.describe("slow").instances()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(4)
    void deleteRemovesInstancesCachedSnapshotsAndStoredSnapshotsEverywhere() throws Exception {
        client.delete("slow");
        assertThat(client.invoke("slow", new byte[0]).status()).isEqualTo(404);
        org.awaitility.Awaitility.await("no node caches a snapshot of slow").atMost(WAIT)
                .pollInterval(java.time.Duration.ofMillis(200)).until(() -> !cachedAnywhere("snapshots/slow/"));
        assertThat(client.nodes()).allSatisfy(n -> assertThat(n.status().instances())
                .noneMatch(i -> i.function().equals("slow")));
        try (S3ObjectStore objects = new S3ObjectStore(TestS3.config(cluster.s3(), "thaw"))) {
            assertThat(objects.list("snapshots/slow/")).isEmpty();
            assertThat(objects.list("snapshots/hello/")).isNotEmpty();
        }
    }

    @Test
    @Order(5)
    void aNodeKilledMidRequestFailsThatRequestPromptlyAndNewOnesGoElsewhere() throws Exception {
        deploy(client, "victim", settings(1, 2, 60_000), copyOfHello("victim"));
        GatewayClient.Answer warm = invoke(client, "victim", "warm up");
        String doomed = warm.header("X-Thaw-Node");
        NodeProcess node = cluster.nodes().stream().filter(n -> n.name().equals(doomed)).findFirst().orElseThrow();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<GatewayClient.Answer> inFlight = pool.submit(() -> client.invoke("victim",
                    "sleep:20000".getBytes(UTF_8)));
            Thread.sleep(1000);
            long killed = System.nanoTime();
            node.kill();
            GatewayClient.Answer failed = inFlight.get();
            double failedAfterMs = (System.nanoTime() - killed) / 1e6;
            assertThat(failed.status()).isEqualTo(502);
            assertThat(failed.text()).contains(doomed);
            assertThat(failedAfterMs).isLessThan(10_000);
            // The node's lazy-restore FUSE mount lived in its own mount namespace and went with it.
            assertThat(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo")))
                    .noneMatch(line -> line.contains("thaw-lazy"));
        } finally {
            pool.shutdownNow();
        }
        GatewayClient.Answer elsewhere = invoke(client, "victim", "after");
        assertThat(elsewhere.header("X-Thaw-Node")).isNotEqualTo(doomed);
        assertThat(elsewhere.text()).isEqualTo("hello, after");
    }

    // --- helpers

    private boolean cachedAnywhere(String prefix) throws Exception {
        return client.nodes().stream().filter(n -> n.alive() && n.status() != null)
                .anyMatch(n -> n.status().cached().stream().anyMatch(e -> e.key().startsWith(prefix)));
    }

    private String holderOfHello() throws Exception {
        return client.nodes().stream()
                .filter(n -> n.status() != null && n.status().cached().stream()
                        .anyMatch(e -> e.key().startsWith("snapshots/hello/")))
                .map(n -> n.name()).findFirst().orElseThrow();
    }

    /** A first cold start on idle nodes: they tie, and ties go by name, as the holder's first boot did. */
    private static void invokeOn(GatewayClient client, String function, String node) throws Exception {
        GatewayClient.Answer answer = invoke(client, function, "x");
        assertThat(answer.header("X-Thaw-Node")).as("idle nodes tie and are taken by name").isEqualTo(node);
    }

    /** Placement reads heartbeats: wait until the node's heartbeat shows an instance of the function, or none. */
    private static void awaitReported(GatewayClient client, String node, String function, boolean running)
            throws Exception {
        org.awaitility.Awaitility.await(node + " reports " + (running ? "an instance of " : "no ") + function)
                .atMost(WAIT).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> client.nodes().stream().anyMatch(n -> n.name().equals(node) && n.status() != null
                        && n.status().instances().stream().anyMatch(i -> i.function().equals(function)) == running));
    }

    private Path copyOfHello(String name) throws Exception {
        Path dir = work.resolve("functions").resolve(name);
        if (!Files.exists(dir)) {
            Files.createDirectories(dir);
            Files.copy(TestGuests.example("hello").resolve("main.py"), dir.resolve("main.py"));
            Files.writeString(dir.resolve("thaw.yaml"), Files.readString(TestGuests.example("hello")
                    .resolve("thaw.yaml")).replaceFirst("(?m)^name: .*$", "name: " + name));
        }
        return dir;
    }

    private static FunctionSettings.Request settings(int concurrency, int maxInstances, long keepAliveMs) {
        return new FunctionSettings.Request(concurrency, maxInstances, keepAliveMs, null, null);
    }

    private static FunctionSettings.Request settings(int concurrency, int maxInstances, long keepAliveMs,
            int queueSize, long queueTimeoutMs) {
        return new FunctionSettings.Request(concurrency, maxInstances, keepAliveMs, queueSize, queueTimeoutMs);
    }

    private static void deploy(GatewayClient client, String name, FunctionSettings.Request settings) throws Exception {
        deploy(client, name, settings, TestGuests.example(name).toAbsolutePath());
    }

    private static void deploy(GatewayClient client, String name, FunctionSettings.Request settings, Path dir)
            throws Exception {
        assertThat(client.deploy(dir.toAbsolutePath(), settings).function().name()).isEqualTo(name);
    }

    private static GatewayClient.Answer invoke(GatewayClient client, String function, String body) throws Exception {
        GatewayClient.Answer answer = client.invoke(function, body.getBytes(UTF_8));
        assertThat(answer.status()).as("%s: %s", function, answer.text()).isEqualTo(200);
        return answer;
    }

    private static void awaitNoInstances(GatewayClient client, String function) throws Exception {
        org.awaitility.Awaitility.await("instances of " + function + " expire").atMost(WAIT)
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> client.describe(function).instances() == 0);
    }
}
