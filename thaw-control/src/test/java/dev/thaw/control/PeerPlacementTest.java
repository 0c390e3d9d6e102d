package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.http.ApiClient;
import dev.thaw.testkit.FakeClock;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PeerSource;
import dev.thaw.wire.v1.node.StartRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway tells a node that starts a revision which other nodes hold its snapshot, each with a
 * peer credential that the holder accepts for that node on its peer routes only (real gateway, real
 * node agents over HTTP on the in-memory driver).
 */
class PeerPlacementTest {
    private static final String USER = "user-token";
    private static final String NODE = "node-token";
    private static final DeploymentSpec ECHO = TestNode.spec("echo", "rev1", "layer");

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final FakeClock clock = new FakeClock();
    private Gateway gateway;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private TestNode node(String name) throws Exception {
        TestNode node = TestNode.join(name, gateway.url(), NODE);
        closing.add(node);
        return node.awaitJoined(gateway);
    }

    private void awaitReported(TestNode node) {
        NodeStatus now = node.status();
        await(() -> gateway.membership().find(node.name).map(Member::status).filter(s -> s != null
                && s.slotsFree() == now.slotsFree() && s.cached().size() == now.cached().size()).isPresent());
    }

    private static void await(BooleanSupplier condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void aStartElsewhereIsToldWhoHoldsTheSnapshotWithACredentialForItsPeerRoutesOnly() throws Exception {
        gateway = Gateway.start(GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), USER, NODE)
                .withPolicy(SchedulerPolicy.SNAPSHOT_AWARE).withLivenessTimeout(TestNode.HEARTBEAT.multipliedBy(10))
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")))
                .withNanoClock(clock::nanoTime));
        closing.add(gateway);
        GatewayClient client = new GatewayClient(gateway.url(), USER);
        TestNode a = node("node-a");
        TestNode b = node("node-b");
        gateway.deployer().deploy(ECHO, "digest", new FunctionSettings(1, 2, 60_000, 10, 10_000));

        assertThat(client.invoke("echo", "x".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        TestNode holder = a.driver.starts() == 1 ? a : b;
        TestNode other = holder == a ? b : a;
        assertThat(holder.startRequests.getLast().peers()).isEmpty(); // nobody held it yet: it booted

        // The holder is full and its instance busy: the next call needs a new instance on the other node.
        holder.occupy(7);
        awaitReported(holder);
        holder.driver.holdInvocations();
        CompletableFuture<GatewayClient.Answer> busy = CompletableFuture.supplyAsync(() -> invoke(client, "y"));
        await(() -> holder.driver.invocationsInFlight() == 1);
        GatewayClient.Answer second = invoke(client, "z");
        holder.driver.releaseInvocations();
        assertThat(busy.get().status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.header("X-Thaw-Node")).isEqualTo(other.name);

        StartRequest request = other.startRequests.getLast();
        assertThat(request.peers()).extracting(PeerSource::node).containsExactly(holder.name);
        PeerSource source = request.peers().getFirst();
        assertThat(source.whole()).as("the holder's report lists the snapshot whole").isTrue();
        assertThat(source.url().replaceAll("/$", "")).isEqualTo(holder.url().toString().replaceAll("/$", ""));
        try (ApiClient peer = new ApiClient(URI.create(source.url()), source.token(), Duration.ofSeconds(5))) {
            // It reads the holder's signed manifest ...
            assertThat(peer.call("GET", "v1/peer/snapshots/echo/rev1/info.json", null, Map.of(),
                    Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
            // ... and nothing else of the holder's API.
            assertThat(peer.call("GET", "v1/status", null, Map.of(), Duration.ofSeconds(5)).statusCode())
                    .isEqualTo(401);
        }
        // Only for the node it was given to: another caller's name under the same proof is refused.
        String forged = source.token().replace("peer:" + other.name + ":", "peer:intruder:");
        try (ApiClient intruder = new ApiClient(URI.create(source.url()), forged, Duration.ofSeconds(5))) {
            assertThat(intruder.call("GET", "v1/peer/snapshots/echo/rev1/info.json", null, Map.of(),
                    Duration.ofSeconds(5)).statusCode()).isEqualTo(401);
        }
    }

    private static GatewayClient.Answer invoke(GatewayClient client, String body) {
        try {
            return client.invoke("echo", body.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
