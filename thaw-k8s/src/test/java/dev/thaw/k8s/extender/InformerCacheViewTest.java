package dev.thaw.k8s.extender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.extender.NodeCacheState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class InformerCacheViewTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeAll
    static void knowTheResource() {
        server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("thaw.dev")
                .withVersion("v1alpha1").withKind("NodeSnapshotCache").withPlural("nodesnapshotcaches")
                .withScope("Cluster").build());
    }

    static GenericKubernetesResource cache(String node, Object status) {
        GenericKubernetesResource resource = new GenericKubernetesResource();
        resource.setApiVersion("thaw.dev/v1alpha1");
        resource.setKind("NodeSnapshotCache");
        resource.setMetadata(new ObjectMetaBuilder().withName(node).build());
        resource.setAdditionalProperty("spec", Map.of("nodeName", node));
        if (status != null) {
            resource.setAdditionalProperty("status", status);
        }
        return resource;
    }

    static Map<String, Object> status(int slotsFree, String... revisions) {
        return Map.of("budgetBytes", 10L << 30, "usedBytes", 3L << 30, "memoryMibFree", 4096, "memoryMibTotal", 8192,
                "slotsFree", slotsFree, "slotsTotal", 8, "updatedAt", "2026-11-20T10:15:30Z", "truncated", false,
                "revisions", List.of(revisions).stream().map(r -> Map.of("function", r.split("/")[0], "revision",
                        r.split("/")[1], "bytes", 123_456_789L, "lastUse", "2026-11-20T10:15:00Z")).toList());
    }

    /** The real informer: list, then watch, each change reaching the view without a GET per request. */
    @Test
    void theInformerFollowsTheObjectsThroughItsWatch() throws Exception {
        var caches = client.genericKubernetesResources(InformerCacheView.RESOURCE);
        caches.resource(cache("node-w1", status(8, "hello/3"))).create();
        try (InformerCacheView view = InformerCacheView.start(client)) {
            view.synced().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            // Handlers run after the store syncs, on the informer's own thread.
            await(() -> view.node("node-w1").map(s -> s.caches("hello/3")).orElse(false));

            caches.resource(cache("node-w2", status(3, "hello/4"))).create();
            await(() -> view.node("node-w2").isPresent());
            caches.withName("node-w1").edit(r -> {
                r.setAdditionalProperty("status", status(1, "world/1"));
                return r;
            });
            await(() -> view.node("node-w1").map(s -> s.caches("world/1")).orElse(false));
            caches.withName("node-w2").delete();
            await(() -> view.node("node-w2").isEmpty());
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await("the view follows").atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(20)).until(condition::getAsBoolean);
    }

    /**
     * Objects go through the mock API server in CRUD mode and come back as the
     * informer would see them; the events are fed straight to the view's state,
     * to cover each kind of change and nonsense deterministically.
     */
    @Test
    void followsCreatesUpdatesDeletesAndIgnoresNonsense() {
        var caches = client.genericKubernetesResources(InformerCacheView.RESOURCE);
        NodeSnapshotCacheStates view = new NodeSnapshotCacheStates();
        view.onAdd(caches.resource(cache("node-a", status(8, "hello/3", "world/1"))).create());
        view.onAdd(caches.resource(cache("node-b", status(2, "hello/2"))).create());
        view.onAdd(caches.resource(cache("node-new", null)).create()); // the node has not written a status yet
        assertThat(view.node("node-a")).contains(new NodeCacheState(Set.of("hello/3", "world/1"), 4096, 8192, 8, 8));
        assertThat(view.node("node-b").map(NodeCacheState::slotsFree)).contains(2);
        assertThat(view.node("node-new")).isEmpty();

        var before = caches.withName("node-b").get();
        var after = caches.withName("node-b").edit(r -> {
            r.setAdditionalProperty("status", status(7, "hello/2", "hello/3"));
            return r;
        });
        view.onUpdate(before, caches.withName("node-b").get());
        assertThat(view.node("node-b").map(s -> s.caches("hello/3"))).contains(true);
        assertThat(view.node("node-b").map(NodeCacheState::slotsFree)).contains(7);

        var deleted = caches.withName("node-a").get();
        caches.withName("node-a").delete();
        view.onDelete(deleted, false);
        assertThat(view.node("node-a")).isEmpty();

        // Edited into nonsense: counts as no state, and does not disturb the rest.
        caches.withName("node-b").edit(r -> {
            r.setAdditionalProperty("status", Map.of("slotsFree", "many", "revisions", "hello/3"));
            return r;
        });
        view.onUpdate(after, caches.withName("node-b").get());
        assertThat(view.node("node-b")).isEmpty();
        view.onAdd(caches.resource(cache("node-c", Map.of("memoryMibFree", 1, "memoryMibTotal", 2, "slotsFree", 1,
                "slotsTotal", 1, "revisions", List.of(Map.of("function", "f"))))).create());
        view.onAdd(caches.resource(cache("node-d", status(1, "f/1"))).create());
        assertThat(view.node("node-c")).isEmpty();
        assertThat(view.size()).isEqualTo(1);

        // Written properly again: back in the view.
        caches.withName("node-b").edit(r -> {
            r.setAdditionalProperty("status", status(5, "hello/3"));
            return r;
        });
        view.onUpdate(after, caches.withName("node-b").get());
        assertThat(view.node("node-b").map(s -> s.caches("hello/3"))).isEqualTo(Optional.of(true));
    }

    @Test
    void readsRevisionsWrittenAsNumbersAndRejectsMissingCounts() {
        var numbered = cache("n", Map.of("memoryMibFree", 1, "memoryMibTotal", 2, "slotsFree", 1, "slotsTotal", 1,
                "revisions", List.of(Map.of("function", "f", "revision", 12))));
        assertThat(NodeSnapshotCacheStatus.read(numbered).orElseThrow().caches("f/12")).isTrue();
        var missing = cache("n", Map.of("memoryMibFree", 1, "memoryMibTotal", 2, "slotsFree", 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSnapshotCacheStatus.read(missing))
                .hasMessage("status.slotsTotal is missing, not a count");
        var negative = cache("n", Map.of("memoryMibFree", -1, "memoryMibTotal", 2, "slotsFree", 1, "slotsTotal", 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSnapshotCacheStatus.read(negative))
                .hasMessage("status.memoryMibFree is -1, not a count");
    }

    private static Map<String, Object> entry(String function, String revision, Object bytes, Object totalBytes) {
        Map<String, Object> entry = new java.util.HashMap<>(Map.of("function", function, "revision", revision,
                "bytes", bytes));
        if (totalBytes != null) {
            entry.put("totalBytes", totalBytes);
        }
        return entry;
    }

    private static GenericKubernetesResource withRevisions(List<Map<String, Object>> revisions) {
        return cache("n", Map.of("memoryMibFree", 1, "memoryMibTotal", 2, "slotsFree", 1, "slotsTotal", 1,
                "revisions", revisions));
    }

    @Test
    void readsTheShareOfEachRevisionAndTakesEntriesWithoutATotalAsWhole() {
        NodeCacheState state = NodeSnapshotCacheStatus.read(withRevisions(List.of(
                entry("hello", "1", 100, 100), entry("hello", "2", 90, 100), entry("hello", "3", 0, 100),
                entry("old", "1", 100, null), entry("old", "2", 100, 0)))).orElseThrow();

        assertThat(state.revisions()).containsExactlyInAnyOrder("hello/1", "old/1", "old/2");
        assertThat(state.partial()).containsExactly(Map.entry("hello/2", 0.9));
        assertThat(state.presentFraction("hello/2")).isEqualTo(0.9);
        assertThat(state.presentFraction("hello/3")).isZero();
        assertThat(state.caches("hello/2")).isFalse();
    }

    @Test
    void impossibleByteCountsMakeTheStatusUnreadable() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSnapshotCacheStatus.read(
                withRevisions(List.of(entry("hello", "1", 101, 100)))))
                .hasMessage("status.revisions[0].bytes is 101, not a byte count of at most totalBytes 100");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSnapshotCacheStatus.read(
                withRevisions(List.of(entry("hello", "1", 1, -5)))))
                .hasMessage("status.revisions[0].totalBytes is -5, not a byte count");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSnapshotCacheStatus.read(
                withRevisions(List.of(entry("hello", "1", 1, 0.5)))))
                .hasMessage("status.revisions[0].totalBytes is 0.5, not a byte count");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeSnapshotCacheStatus.read(
                withRevisions(List.of(entry("hello", "1", "lots", 100)))))
                .hasMessageStartingWith("status.revisions[0].bytes is \"lots\"");
    }

    /** The extender scores the objects' shares with the gateway's scoring: more of the snapshot ranks higher. */
    @Test
    void theExtenderRanksANodeWithMoreOfTheSnapshotAboveOneWithLess() {
        var caches = client.genericKubernetesResources(InformerCacheView.RESOURCE);
        NodeSnapshotCacheStates view = new NodeSnapshotCacheStates();
        for (var node : Map.of("node-most", 90, "node-half", 50, "node-none", 0, "node-whole", 100).entrySet()) {
            view.onAdd(caches.resource(cache(node.getKey(), Map.of("memoryMibFree", 8192, "memoryMibTotal", 8192,
                    "slotsFree", 8, "slotsTotal", 8, "revisions", List.of(entry("hello", "3", node.getValue(), 100),
                            entry("world", "1", 100, 100))))).create());
        }
        var extender = new dev.thaw.control.extender.Extender(view,
                dev.thaw.control.scheduling.SchedulerPolicy.SNAPSHOT_AWARE);
        var args = dev.thaw.wire.v1.extender.ExtenderArgs.parse("""
                {"pod": {"metadata": {"name": "hello-1", "labels": {"thaw.dev/function": "hello",
                         "thaw.dev/revision": "3"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
                 "nodenames": ["node-none", "node-half", "node-most", "node-whole"]}""".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        // 60 + 40 × share on an idle node: 60, 80, 96, 100, on kube-scheduler's 0..10.
        assertThat(extender.prioritize(args)).extracting(h -> h.score()).containsExactly(6L, 8L, 10L, 10L);
    }
}
