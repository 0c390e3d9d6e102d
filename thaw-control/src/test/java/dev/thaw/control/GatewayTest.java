package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.thaw.api.Json;
import dev.thaw.api.MachineShape;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.wire.v1.gateway.NodeSummary;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PresentRevision;
import dev.thaw.wire.v1.node.StartRequest;
import dev.thaw.control.cluster.Member;
import dev.thaw.node.SnapshotMode;
import dev.thaw.testkit.FakeClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway over real HTTP on loopback, with real node agents ({@link TestNode}: node HTTP API,
 * service, runtime and cache) whose guests are in-memory sandboxes instead of QEMU.
 */
class GatewayTest {
    static final String USER = "user-token";
    static final String NODE = "node-token";
    static final DeploymentSpec ECHO = TestNode.spec("echo", "rev1", "layer");
    /**
     * Ten heartbeat intervals before a node gets no new starts, thirty before it is declared dead: dead when
     * partitioned, never because the machine is busy.
     */
    static final Duration LIVENESS = TestNode.HEARTBEAT.multipliedBy(10);

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Gateway gateway;
    private GatewayClient client;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        http.close();
    }

    /** The gateway's monotonic clock for keep-alive, idle and queue times; liveness runs in real time. */
    private final FakeClock clock = new FakeClock();

    private Gateway start(SchedulerPolicy policy) throws Exception {
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), USER, NODE)
                .withPolicy(policy).withBodyLimit(64 * 1024).withLivenessTimeout(LIVENESS)
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")))
                .withNanoClock(clock::nanoTime);
        gateway = Gateway.start(config);
        closing.add(gateway);
        client = new GatewayClient(gateway.url(), USER);
        return gateway;
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closing.add(resource);
        return resource;
    }

    /** A node joined to the gateway, once the gateway counts it alive. */
    private TestNode node(String name) throws Exception {
        TestNode node = TestNode.join(name, gateway.url(), NODE);
        closing.add(node);
        return node.awaitJoined(gateway);
    }

    /** Waits until the gateway has the node's latest heartbeat: its free slots and cached revisions. */
    private void awaitReported(TestNode node) {
        NodeStatus now = node.status();
        await(() -> gateway.membership().find(node.name).map(Member::status).filter(s -> s != null
                && s.slotsFree() == now.slotsFree() && s.cached().size() == now.cached().size()).isPresent());
    }

    private void deployEcho(FunctionSettings settings) throws Exception {
        gateway.deployer().deploy(ECHO, "digest", settings);
    }

    /** Joins {@code node} with the join token and returns its own token. */
    private String join(String node) throws Exception {
        String token = dev.thaw.node.identity.NodeTokens.issue(node);
        HttpResponse<String> joined = send("POST", "v1/join", NODE, dev.thaw.api.Json.write(
                new dev.thaw.wire.v1.gateway.JoinRequest(node, token)));
        assertThat(joined.statusCode()).isEqualTo(201);
        return token;
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.url().resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    private static FunctionSettings settings(int concurrency, int maxInstances, long keepAliveMs, int queueSize,
            long queueTimeoutMs) {
        return new FunctionSettings(concurrency, maxInstances, keepAliveMs, queueSize, queueTimeoutMs);
    }

    @Test
    void tokensAreCheckedPerEndpointAndRefusedRequestsChangeNothing() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        String deploy = "{\"path\": \"/nonexistent\"}";
        assertThat(send("POST", "v1/functions", null, deploy).statusCode()).isEqualTo(401);
        assertThat(send("POST", "v1/functions", "wrong", deploy).statusCode()).isEqualTo(401);
        assertThat(send("POST", "v1/functions", NODE, deploy).statusCode()).isEqualTo(401);
        assertThat(send("GET", "v1/functions", NODE, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "metrics", null, null).statusCode()).isEqualTo(401);
        String register = "{\"node\": \"n1\", \"url\": \"http://127.0.0.1:1/\"}";
        HttpResponse<String> refused = send("POST", "v1/nodes", USER, register);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("unauthorized");
        assertThat(send("PUT", "v1/nodes/n1/heartbeat", USER, "{}").statusCode()).isEqualTo(401);
        // The join token only joins: it registers nobody.
        assertThat(send("POST", "v1/nodes", NODE, register).statusCode()).isEqualTo(401);
        assertThat(send("POST", "v1/join", USER, dev.thaw.api.Json.write(new dev.thaw.wire.v1.gateway.JoinRequest("n1",
                dev.thaw.node.identity.NodeTokens.issue("n1")))).statusCode()).isEqualTo(401);
        assertThat(client.nodes()).isEmpty();
        assertThat(client.list()).isEmpty();
        assertThat(send("POST", "v1/nodes", join("n1"), register).statusCode()).isEqualTo(204);
        assertThat(client.nodes()).extracting(NodeSummary::name).containsExactly("n1");
        assertThat(send("GET", "healthz", null, null).body()).isEqualTo("ok");
    }

    @Test
    void badNamesOversizeBodiesAndUnknownFunctionsAreRefused() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        HttpResponse<String> bad = send("POST", "v1/functions/..%2Fetc/invoke", null, "x");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("bad_name");
        assertThat(send("GET", "v1/functions/Upper", USER, null).statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = send("POST", "v1/functions/nothere/invoke", USER, "x");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("unknown_function");
        deployEcho(FunctionSettings.DEFAULTS);
        HttpResponse<String> large = send("POST", "v1/functions/echo/invoke", USER, "x".repeat(64 * 1024 + 1));
        assertThat(large.statusCode()).isEqualTo(413);
        assertThat(large.body()).contains("too_large");
        assertThat(send("POST", "v1/nodes", join("n"), "{\"node\": \"n" + "x".repeat(70 * 1024) + "\", \"url\": \"u\"}")
                .statusCode()).isEqualTo(413);
    }

    @Test
    void invokeColdThenWarmWithStartHeadersAndMetrics() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        deployEcho(FunctionSettings.DEFAULTS);
        assertThat(a.deployed("echo", "rev1")).isTrue();
        GatewayClient.Answer cold = client.invoke("echo", "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(cold.status()).as(cold.text()).isEqualTo(200);
        assertThat(cold.text()).isEqualTo("echo:hi");
        assertThat(cold.header("X-Thaw-Start")).isEqualTo("boot");
        assertThat(cold.header("X-Thaw-Node")).isEqualTo("node-a");
        assertThat(cold.header("X-Thaw-Revision")).isEqualTo("rev1");
        assertThat(cold.header("X-Thaw-Instance")).isEqualTo("node-a-i1");
        assertThat(Double.parseDouble(cold.header("X-Thaw-Init-Ms"))).isPositive();
        // The images are on the node: nothing fetched. The driver's boot reports 20 ms, its guest 1 ms.
        assertThat(cold.header("X-Thaw-Fetch-Ms")).isEqualTo("0.0");
        assertThat(cold.header("X-Thaw-Vm-Ms")).isEqualTo("20.0");
        assertThat(Double.parseDouble(cold.header("X-Thaw-Guest-Ms"))).isEqualTo(1.0);
        assertThat(cold.header("X-Thaw-Queue-Ms")).isNotNull();
        assertThat(cold.header("X-Thaw-Schedule-Ms")).isNotNull();
        GatewayClient.Answer warm = client.invoke("echo", "again".getBytes(StandardCharsets.UTF_8));
        assertThat(warm.header("X-Thaw-Start")).isEqualTo("warm");
        assertThat(warm.header("X-Thaw-Init-Ms")).isEqualTo("0.0");
        assertThat(warm.header("X-Thaw-Instance")).isEqualTo("node-a-i1");
        assertThat(a.driver.starts()).isEqualTo(1);
        assertThat(client.describe("echo").instances()).isEqualTo(1);
        assertThat(client.status().instances()).isEqualTo(1);
        String metrics = send("GET", "metrics", USER, null).body();
        assertThat(metrics).contains("thaw_gateway_invocations_total{function=\"echo\",namespace=\"default\",start=\"boot\"} 1.0")
                .contains("thaw_gateway_invocations_total{function=\"echo\",namespace=\"default\",start=\"warm\"} 1.0")
                .contains("thaw_gateway_init_seconds_bucket").contains("thaw_gateway_init_vm_seconds")
                .contains("thaw_gateway_cold_starts_total{node=\"node-a\"} 1.0")
                .contains("thaw_gateway_instances{function=\"echo\",namespace=\"default\"}");
    }

    @Test
    void fullQueueGets429AndAWaitPastTheTimeoutGets503() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        a.driver.holdInvocations();
        deployEcho(settings(1, 1, 60_000, 1, 300));
        CompletableFuture<GatewayClient.Answer> first = CompletableFuture.supplyAsync(() -> invoke("1"));
        await(() -> a.driver.invocationsInFlight() == 1);
        long queued = System.nanoTime();
        CompletableFuture<GatewayClient.Answer> second = CompletableFuture.supplyAsync(() -> invoke("2"));
        await(() -> gateway.routers().find("echo").orElseThrow().queueLength() == 1);
        GatewayClient.Answer third = invoke("3");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.text()).contains("queue_full");
        GatewayClient.Answer timedOut = second.get();
        assertThat(timedOut.status()).isEqualTo(503);
        assertThat(timedOut.text()).contains("queue_timeout");
        // Not before its timeout, and by the timeout rather than by getting the instance: the first still runs.
        assertThat((System.nanoTime() - queued) / 1_000_000).isGreaterThanOrEqualTo(300L);
        assertThat(first).isNotDone();
        assertThat(a.driver.invocationsInFlight()).isEqualTo(1);
        a.driver.releaseInvocations();
        assertThat(first.get().status()).isEqualTo(200);
    }

    @Test
    void queuedRequestGetsTheReleasedInstance() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        a.driver.holdInvocations();
        deployEcho(settings(1, 1, 60_000, 5, 5_000));
        CompletableFuture<GatewayClient.Answer> first = CompletableFuture.supplyAsync(() -> invoke("1"));
        await(() -> a.driver.invocationsInFlight() == 1);
        CompletableFuture<GatewayClient.Answer> queued = CompletableFuture.supplyAsync(() -> invoke("2"));
        await(() -> gateway.routers().find("echo").orElseThrow().queueLength() == 1);
        a.driver.releaseInvocations();
        GatewayClient.Answer second = queued.get();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("X-Thaw-Start")).isEqualTo("warm");
        // It was queued (seen above) until the release, and says how long it waited there.
        assertThat(Double.parseDouble(second.header("X-Thaw-Queue-Ms"))).isPositive();
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(a.driver.starts()).isEqualTo(1);
    }

    private GatewayClient.Answer invoke(String body) {
        try {
            return client.invoke("echo", body.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void keepAliveStopsIdleInstancesAndTheNextStartGoesToTheSnapshotHolder() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        // node-a keeps no snapshots: after its instance goes, only node-b will hold the revision's.
        TestNode a = closing(TestNode.join("node-a", gateway.url(), NODE, SnapshotMode.DISABLED)).awaitJoined(gateway);
        TestNode b = node("node-b");
        deployEcho(settings(1, 2, 200, 10, 1_000));
        assertThat(invoke("x").header("X-Thaw-Node")).isEqualTo("node-a");
        clock.advanceMillis(201); // past the 200 ms keep-alive
        gateway.routers().expire();
        await(() -> !a.driver.openSandboxes().contains("node-a-i1"));
        await(() -> gateway.routers().find("echo").orElseThrow().instances() == 0);
        // node-b now caches the revision (and is half loaded): snapshot-aware still prefers it.
        b.cache(ECHO);
        b.occupy(4);
        awaitReported(b);
        GatewayClient.Answer again = invoke("y");
        assertThat(again.header("X-Thaw-Start")).isEqualTo("local");
        assertThat(again.header("X-Thaw-Node")).isEqualTo("node-b");
    }

    @Test
    void hybridKeepAliveUnloadsARegularCallerAtOnceThenPrefetchesAndPrewarmsBeforeItsReturn() throws Exception {
        gateway = Gateway.start(GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), USER, NODE)
                .withLivenessTimeout(LIVENESS)
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")))
                .withKeepAlive(KeepAlivePolicy.HYBRID_HISTOGRAM).withPrefetch(SnapshotPrefetch.HISTOGRAM)
                .withNanoClock(clock::nanoTime));
        closing.add(gateway);
        client = new GatewayClient(gateway.url(), USER);
        // node-a keeps no snapshot of its own, so the gateway has to ask it to fetch one before the return.
        TestNode a = closing(TestNode.join("node-a", gateway.url(), NODE, SnapshotMode.DISABLED)).awaitJoined(gateway);
        // keepAliveMs 60 s of the fake clock: the gateway's expiry timer runs in real time but reads that clock.
        deployEcho(settings(1, 2, 60_000, 10, 1_000));
        for (int i = 0; i < 5; i++) {
            // A regular caller: 90 s idle between calls. The histogram needs 4 idle periods, so the policy knows
            // the caller only after the last call here (nothing is pre-warmed while the test still calls).
            clock.advance(Duration.ofNanos(i == 0 ? 0 : 90_000_000_000L));
            assertThat(invoke("x" + i).status()).isEqualTo(200);
        }
        // A millisecond after the last call, far within the fixed 60 s keep-alive.
        clock.advance(Duration.ofNanos(1_000_000L));
        // Known to return after about 90 s, past the 60 s keep-alive: the instance goes at once, and the node is
        // asked to fetch the snapshot before the predicted next call.
        await(() -> gateway.routers().find("echo").orElseThrow().instances() == 0);
        assertThat(a.prefetches).doesNotContain("echo/rev1");
        int startsBefore = a.driver.starts();
        // Then, a few seconds before the predicted return, the node is asked to prefetch, and an instance is
        // pre-warmed: the next call is warm.
        clock.advance(Duration.ofNanos(88_000_000_000L));
        await(() -> a.prefetches.contains("echo/rev1"));
        // The node is told whose signatures to accept, as a start would tell it.
        assertThat(a.prefetchRequests.getLast().signers()).containsExactlyEntriesOf(
                java.util.Map.of("node-a", a.service().signingKey()));
        await(() -> gateway.routers().find("echo").orElseThrow().instances() == 1);
        assertThat(a.driver.starts()).isEqualTo(startsBefore + 1);
        // Unused, it stays past the keep-alive (0 for this caller) until its window ends.
        clock.advance(Duration.ofNanos(1_000_000_000L));
        gateway.routers().expire();
        assertThat(gateway.routers().find("echo").orElseThrow().instances()).isEqualTo(1);
        GatewayClient.Answer warm = invoke("x5");
        assertThat(warm.status()).isEqualTo(200);
        assertThat(warm.header("X-Thaw-Start")).isEqualTo("warm");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(names = {"SNAPSHOT_AWARE", "COST_AWARE"})
    void placementPrefersTheNodeWithMoreOfTheRevisionsSnapshot(SchedulerPolicy policy) throws Exception {
        start(policy);
        // Ties go by name, so node-b wins only by holding more: 90 % of the snapshot against node-a's 10 %.
        TestNode a = node("node-a");
        TestNode b = node("node-b");
        TestNode none = node("node-c");
        a.holdPart("echo", "rev1", 4L << 20, 40L << 20);
        b.holdPart("echo", "rev1", 36L << 20, 40L << 20);
        deployEcho(settings(1, 2, 60_000, 10, 1_000));
        // The nodes report what they hold of a revision once they have been given it.
        await(() -> reported(a, "echo", "rev1") == 0.1 && reported(b, "echo", "rev1") == 0.9);
        assertThat(reported(none, "echo", "rev1")).isZero();
        assertThat(gateway.membership().find("node-b").orElseThrow().status().present())
                .containsExactly(new PresentRevision("echo", "rev1", 36L << 20, 40L << 20));
        // A report of more bytes than the snapshot has is refused, naming the revision, and changes nothing.
        com.fasterxml.jackson.databind.node.ObjectNode impossible = Json.mapper().valueToTree(b.status());
        impossible.putArray("present").addObject().put("function", "echo").put("revision", "rev1")
                .put("presentBytes", 50L << 20).put("totalBytes", 40L << 20);
        HttpResponse<String> refused = send("PUT", "v1/nodes/node-b/heartbeat", b.nodeToken(), impossible.toString());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("echo/rev1").contains("presentBytes");
        assertThat(reported(b, "echo", "rev1")).isEqualTo(0.9);

        // The extender endpoint, over the same reports: node-b, then node-a, then node-c.
        String args = """
                {"pod": {"metadata": {"name": "echo-1", "labels": {"thaw.dev/function": "echo",
                         "thaw.dev/revision": "rev1"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
                 "nodenames": ["node-a", "node-b", "node-c"]}""";
        Map<String, Long> scores = scores(send("POST", "/extender/prioritize", USER, args));
        assertThat(scores.get("node-b")).isGreaterThan(scores.get("node-a"));
        assertThat(scores.get("node-a")).isGreaterThanOrEqualTo(scores.get("node-c"));

        GatewayClient.Answer answer = invoke("x");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("X-Thaw-Node")).isEqualTo("node-b");
    }

    @Test
    void aNodeReportsTheWholeOfACachedSnapshotAsPresentAndNothingOfOthers() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode b = node("node-b");
        b.cache(ECHO);
        b.service().deploy("other", "rev9", TestNode.spec("other", "rev9", "layer"));
        NodeStatus status = b.status();
        long bytes = status.cached().stream().filter(e -> e.key().equals("snapshots/echo/rev1")).findFirst()
                .orElseThrow().bytes();
        assertThat(status.present()).containsExactly(new PresentRevision("echo", "rev1", bytes, bytes));
        assertThat(status.caches("echo", "rev1")).isTrue();
        assertThat(status.presentFraction("other", "rev9")).isZero();
        await(() -> reported(b, "echo", "rev1") == 1.0);
    }

    /** The share of the revision's snapshot the gateway last heard {@code node} hold. */
    private double reported(TestNode node, String function, String revision) {
        return gateway.membership().find(node.name).map(Member::status).filter(java.util.Objects::nonNull)
                .map(s -> s.presentFraction(function, revision)).orElse(-1.0);
    }

    @Test
    void spreadPlacesOnTheLeastLoadedNodeWhateverItCaches() throws Exception {
        start(SchedulerPolicy.SPREAD);
        TestNode a = node("node-a");
        TestNode b = node("node-b");
        b.cache(ECHO);
        b.occupy(4);
        awaitReported(b);
        deployEcho(settings(1, 2, 60_000, 10, 1_000));
        GatewayClient.Answer answer = invoke("x");
        assertThat(answer.header("X-Thaw-Node")).isEqualTo("node-a");
        assertThat(answer.header("X-Thaw-Start")).isEqualTo("boot");
    }

    @Test
    void aNodeThatStopsHeartbeatingFailsItsRequestPromptlyAndIsNoLongerUsed() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        TestNode b = node("node-b");
        a.cache(ECHO);
        awaitReported(a);
        deployEcho(settings(1, 2, 60_000, 10, 1_000));
        a.driver.holdInvocations();
        CompletableFuture<GatewayClient.Answer> hanging = CompletableFuture.supplyAsync(() -> invoke("1"));
        await(() -> a.driver.invocationsInFlight() == 1);
        a.partition();
        GatewayClient.Answer failed = hanging.get();
        // Failed by the node's silence, while the node still runs the call (well within its 5 s invoke timeout).
        assertThat(a.driver.invocationsInFlight()).isEqualTo(1);
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.text()).contains("node_failed").contains("node-a");
        assertThat(failed.header("X-Thaw-Node")).isEqualTo("node-a");
        GatewayClient.Answer next = invoke("2");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.header("X-Thaw-Node")).isEqualTo("node-b");
        assertThat(client.nodes()).filteredOn(NodeSummary::alive).extracting(NodeSummary::name)
                .containsExactly("node-b");
        // The dead node is told to register again, and then it is used again.
        assertThat(send("PUT", "v1/nodes/node-a/heartbeat", a.nodeToken(),
                dev.thaw.api.Json.write(a.status())).statusCode()).isEqualTo(404);
        assertThat(send("POST", "v1/nodes", a.nodeToken(), dev.thaw.api.Json.write(new RegisterRequest("node-a",
                a.url().toString()))).statusCode()).isEqualTo(204);
        a.driver.releaseInvocations();
        a.reconnect();
        await(() -> gateway.membership().alive().size() == 2 && a.deployed("echo", "rev1"));
    }

    @Test
    void startsNameTheKeysOfTheNodesThatMayHavePublishedTheRevisionsSnapshot() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        TestNode b = node("node-b");
        deployEcho(FunctionSettings.DEFAULTS);
        await(() -> a.deployed("echo", "rev1") && b.deployed("echo", "rev1"));
        client.invoke("echo", "hi".getBytes(StandardCharsets.UTF_8));
        StartRequest request = java.util.stream.Stream.concat(a.startRequests.stream(), b.startRequests.stream())
                .findFirst().orElseThrow();
        assertThat(request.signers()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "node-a", a.service().signingKey(), "node-b", b.service().signingKey()));

        // A key that is not an Ed25519 public key is refused at registration (with the node's own token), and
        // changes nothing.
        String tokenC = join("node-c");
        HttpResponse<String> refused = send("POST", "v1/nodes", tokenC, dev.thaw.api.Json.write(new RegisterRequest(
                "node-c", "http://127.0.0.1:1/", "bm90IGEga2V5")));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("signing key");
        assertThat(gateway.membership().find("node-c")).isEmpty();
    }

    @Test
    void deleteStopsEverythingAndLaterInvocationsGet404() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        TestNode b = node("node-b");
        deployEcho(FunctionSettings.DEFAULTS);
        assertThat(invoke("x").status()).isEqualTo(200);
        HttpResponse<String> deleted = send("DELETE", "v1/functions/echo", USER, null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        // Both nodes were told: the revision is gone from each, and so is the instance and the cached snapshot.
        assertThat(a.deployed("echo", "rev1")).isFalse();
        assertThat(b.deployed("echo", "rev1")).isFalse();
        assertThat(a.driver.openSandboxes()).isEmpty();
        assertThat(b.driver.openSandboxes()).isEmpty();
        assertThat(a.status().cached()).isEmpty();
        assertThat(invoke("y").status()).isEqualTo(404);
        assertThat(send("GET", "v1/functions/echo", USER, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "v1/functions/echo", USER, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "metrics", USER, null).body()).doesNotContain("thaw_gateway_instances{function=\"echo\",namespace=\"default\"}");
    }

    @Test
    void newRevisionDrainsTheOldOne() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode a = node("node-a");
        deployEcho(FunctionSettings.DEFAULTS);
        assertThat(invoke("x").header("X-Thaw-Revision")).isEqualTo("rev1");
        DeploymentSpec rev2 = TestNode.spec("echo", "rev2", "layer2");
        assertThat(gateway.deployer().deploy(rev2, "digest2", FunctionSettings.DEFAULTS).created()).isTrue();
        await(() -> !a.driver.openSandboxes().contains("node-a-i1"));
        assertThat(invoke("y").header("X-Thaw-Revision")).isEqualTo("rev2");
        assertThat(gateway.deployer().deploy(rev2, "digest2", FunctionSettings.DEFAULTS).created()).isFalse();
    }

    @Test
    void openApiDescribesEveryPath() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        HttpResponse<String> response = send("GET", "openapi.yaml", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = new YAMLMapper().readTree(response.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        List<String> paths = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).containsExactlyInAnyOrderElementsOf(
                dev.thaw.wire.v1.gateway.GatewayApi.ROUTES.stream().map(r -> r.pathTemplate()).distinct().toList());
        assertThat(response.body()).contains("X-Thaw-Init-Ms", "'429'", "'502'", "'413'", "queue_timeout");
    }

    static URI unused() {
        return URI.create("http://127.0.0.1:1/");
    }

    @Test
    void theExtenderEndpointRanksTheHolderFirstUnlessItIsFarBusier() throws Exception {
        start(SchedulerPolicy.SNAPSHOT_AWARE);
        TestNode holder = node("node-a");
        TestNode idle = node("node-b");
        holder.cache(TestNode.spec("fn", "rev-1", "fn-layer"));
        awaitReported(holder);
        String args = """
                {"pod": {"metadata": {"name": "fn-1", "labels": {"thaw.dev/function": "fn",
                         "thaw.dev/revision": "rev-1"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
                 "nodenames": ["node-a", "node-b"]}""";

        assertThat(send("POST", "/extender/prioritize", null, args).statusCode()).isEqualTo(401);
        Map<String, Long> scores = scores(send("POST", "/extender/prioritize", USER, args));
        assertThat(scores.get("node-a")).isGreaterThan(scores.get("node-b"));

        holder.occupy(7); // 1 of 8 slots free: the cache hit no longer outweighs the load
        awaitReported(holder);
        scores = scores(send("POST", "/extender/prioritize", USER, args));
        assertThat(scores.get("node-a")).isLessThan(scores.get("node-b"));

        HttpResponse<String> filtered = send("POST", "/extender/filter", USER, args);
        assertThat(Json.mapper().readTree(filtered.body()).get("nodenames")).hasSize(2);
    }

    private static Map<String, Long> scores(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Long> scores = new java.util.HashMap<>();
        for (var entry : Json.mapper().readTree(response.body())) {
            scores.put(entry.get("host").asText(), entry.get("score").asLong());
        }
        return scores;
    }
}
