package dev.thaw.k8s.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.thaw.api.Json;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.wire.v1.node.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
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
    private static final String CALL_TOKEN = "gateway-calls-nodes";

    KubernetesClient client;
    private HttpServer node;
    private final AtomicInteger statusCalls = new AtomicInteger();
    private final AtomicInteger refusedCalls = new AtomicInteger();
    private String daemonSetUid;
    private ScheduledExecutorService timer;
    private Membership membership;

    @BeforeEach
    void start() throws Exception {
        node = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        node.createContext("/v1/status", exchange -> {
            if (!("Bearer " + CALL_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                refusedCalls.incrementAndGet();
                return;
            }
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
        membership = new Membership(Duration.ofSeconds(3), timer);
        daemonSetUid = client.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("thaw-node").withNamespace(NS).withUid("uid-of-the-daemonset").endMetadata().withNewSpec()
                .withNewSelector().addToMatchLabels("app.kubernetes.io/name", "thaw-node").endSelector()
                .endSpec().build()).create().getMetadata().getUid();
    }

    @AfterEach
    void stop() {
        membership.close();
        timer.shutdownNow();
        node.stop(0);
    }

    private Pod pod(String name, String nodeName, String phase, String ip) {
        return pod(name, nodeName, phase, ip, "thaw-node", daemonSetUid);
    }

    /** A pod with the node-agent label, controlled by the DaemonSet named {@code owner} with {@code uid}. */
    private static Pod pod(String name, String nodeName, String phase, String ip, String owner, String uid) {
        var metadata = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("app.kubernetes.io/name", "thaw-node");
        if (owner != null) {
            metadata = metadata.addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet").withName(owner)
                    .withUid(uid).withController(true).endOwnerReference();
        }
        return metadata.endMetadata()
                .withNewSpec().withNodeName(nodeName).endSpec()
                .withNewStatus().withPhase(phase).withPodIP(ip).endStatus().build();
    }

    @Test
    void runningPodsBecomeNodesWhoseStatusIsPolledAndDeletedPodsLeaveScheduling() throws Exception {
        client.pods().inNamespace(NS).resource(pod("thaw-node-abc", "k8s-node-1", "Pending", null)).create();
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("other").withNamespace(NS)
                .addToLabels("app", "unrelated").endMetadata().withNewSpec().withNodeName("k8s-node-2").endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build()).create();
        try (NodeDiscovery discovery = discovery()) {
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
            assertThat(refusedCalls).as("the gateway calls nodes with the call token").hasValue(0);
        }
    }

    @Test
    void onlyPodsTheNodeDaemonSetControlsAreAdmitted() throws Exception {
        // Labelled alike, but: no owner, another DaemonSet, and a forged reference to ours with another UID.
        client.pods().inNamespace(NS).resource(pod("stray", "k8s-node-2", "Running", "127.0.0.1", null, null))
                .create();
        client.pods().inNamespace(NS).resource(pod("other-ds", "k8s-node-3", "Running", "127.0.0.1", "other",
                "uid-of-other")).create();
        client.pods().inNamespace(NS).resource(pod("forged", "k8s-node-4", "Running", "127.0.0.1", "thaw-node",
                "not-the-uid")).create();
        try (NodeDiscovery discovery = discovery()) {
            client.pods().inNamespace(NS).resource(pod("thaw-node-real", "k8s-node-1", "Running", "127.0.0.1"))
                    .create();
            await(() -> membership.find("k8s-node-1").map(Member::status).isPresent());
            assertThat(membership.all()).extracting(Member::name).containsExactly("k8s-node-1");
            assertThat(discovery.discovered()).containsOnlyKeys("k8s-node-1");

            // A foreign pod on the real node's Kubernetes node neither replaces it nor, deleted, evicts it.
            client.pods().inNamespace(NS).resource(pod("impostor", "k8s-node-1", "Running", "10.9.9.9", null, null))
                    .create();
            client.pods().inNamespace(NS).withName("impostor").delete();
            client.pods().inNamespace(NS).withName("stray").delete();
            int polled = statusCalls.get();
            await(() -> statusCalls.get() > polled + 2);
            Member member = membership.find("k8s-node-1").orElseThrow();
            assertThat(member.alive()).isTrue();
            assertThat(member.url().getHost()).isEqualTo("127.0.0.1");
            assertThat(membership.all()).hasSize(1);
        }
    }

    private NodeDiscovery discovery() {
        return new NodeDiscovery(client, NS, SELECTOR, "thaw-node", CALL_TOKEN, node.getAddress().getPort(),
                membership, Duration.ofMillis(100));
    }

    private static void await(BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }
}
