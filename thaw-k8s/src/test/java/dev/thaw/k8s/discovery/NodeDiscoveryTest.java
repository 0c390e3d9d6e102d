package dev.thaw.k8s.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.thaw.api.Json;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.node.api.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery against fabric8's mock API server (CRUD mode) and a node stand-in answering status over HTTP. */
@EnableKubernetesMockClient(crud = true, https = false)
class NodeDiscoveryTest {
    private static final String NS = "thaw";
    private static final String SELECTOR = "app.kubernetes.io/name=thaw-node";

    KubernetesClient client;
    private HttpServer node;
    private final AtomicInteger statusCalls = new AtomicInteger();
    private ScheduledExecutorService timer;
    private Membership membership;

    @BeforeEach
    void start() throws Exception {
        node = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        node.createContext("/v1/status", exchange -> {
            statusCalls.incrementAndGet();
            byte[] body = Json.mapper().writeValueAsBytes(new NodeStatus("k8s-node-1", "http://127.0.0.1/", "remote",
                    4096, 3840, 8, 7, List.of(), null, List.of(), null, Instant.now()));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        node.start();
        timer = Executors.newSingleThreadScheduledExecutor();
        membership = new Membership("node-token", Duration.ofSeconds(3), timer);
    }

    @AfterEach
    void stop() {
        membership.close();
        timer.shutdownNow();
        node.stop(0);
    }

    private Pod pod(String name, String nodeName, String phase, String ip) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("app.kubernetes.io/name", "thaw-node").endMetadata()
                .withNewSpec().withNodeName(nodeName).endSpec()
                .withNewStatus().withPhase(phase).withPodIP(ip).endStatus().build();
    }

    @Test
    void runningPodsBecomeNodesWhoseStatusIsPolledAndDeletedPodsLeaveScheduling() throws Exception {
        client.pods().inNamespace(NS).resource(pod("thaw-node-abc", "k8s-node-1", "Pending", null)).create();
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("other").withNamespace(NS)
                .addToLabels("app", "unrelated").endMetadata().withNewSpec().withNodeName("k8s-node-2").endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build()).create();
        try (NodeDiscovery discovery = new NodeDiscovery(client, NS, SELECTOR, node.getAddress().getPort(),
                membership, Duration.ofMillis(100))) {
            Thread.sleep(300);
            assertThat(membership.all()).as("a pending pod and an unrelated pod are not nodes").isEmpty();

            client.pods().inNamespace(NS).resource(pod("thaw-node-abc", "k8s-node-1", "Running", "127.0.0.1"))
                    .update();
            await(() -> membership.find("k8s-node-1").map(Member::status).isPresent());
            Member member = membership.find("k8s-node-1").orElseThrow();
            assertThat(member.alive()).isTrue();
            assertThat(member.url().toString()).isEqualTo("http://127.0.0.1:" + node.getAddress().getPort() + "/");
            assertThat(member.status().slotsFree()).isEqualTo(7);
            int polled = statusCalls.get();
            await(() -> statusCalls.get() > polled + 2);

            client.pods().inNamespace(NS).withName("thaw-node-abc").delete();
            await(() -> !membership.find("k8s-node-1").orElseThrow().alive());
            assertThat(membership.alive()).isEmpty();
            assertThat(discovery.discovered()).isEmpty();
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
