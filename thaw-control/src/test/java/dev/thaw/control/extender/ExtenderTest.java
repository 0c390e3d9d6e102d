package dev.thaw.control.extender;

import static dev.thaw.control.extender.KubeSchedulerPayloads.PLAIN_POD;
import static dev.thaw.control.extender.KubeSchedulerPayloads.THAW_POD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.thaw.api.Json;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.wire.v1.extender.ExtenderArgs;
import dev.thaw.wire.v1.extender.ExtenderFilterResult;
import dev.thaw.wire.v1.extender.HostPriority;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExtenderTest {
    private final InMemoryCacheView view = new InMemoryCacheView();
    private final Extender extender = new Extender(view, SchedulerPolicy.SNAPSHOT_AWARE);

    /** {@code busy} of 10 slots in use, memory in proportion (1 GiB a slot). */
    private void node(String name, int busy, String... revisions) {
        view.put(name, new NodeCacheState(Set.of(revisions), 1024L * (10 - busy), 10_240, 10 - busy, 10));
    }

    private static ExtenderArgs args(String json) {
        return ExtenderArgs.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode tree(Object value) {
        return Json.mapper().valueToTree(value);
    }

    @Test
    void podRevisionComesFromTheAnnotationOverTheLabel() throws Exception {
        assertThat(RevisionOfPod.of(Json.mapper().readTree(THAW_POD))).contains("hello/3");
        assertThat(RevisionOfPod.of(Json.mapper().readTree(
                "{\"metadata\":{\"labels\":{\"thaw.dev/function\":\"f\",\"thaw.dev/revision\":\"7\"}}}")))
                .contains("f/7");
        assertThat(RevisionOfPod.of(Json.mapper().readTree(PLAIN_POD))).isEmpty();
        assertThat(RevisionOfPod.of(TextNode.valueOf("not a pod"))).isEmpty();
    }

    @Test
    void theHolderRanksFirstAndUnknownNodesScoreAsIdleNonHolders() {
        node("holder", 0, "hello/3");
        node("stale", 0, "hello/2"); // holds the label's revision, not the annotation's
        node("other", 0, "world/1");
        List<HostPriority> scores = extender.prioritize(args(KubeSchedulerPayloads.withNames(THAW_POD,
                List.of("other", "holder", "stale", "unknown"))));
        assertThat(scores).containsExactly(new HostPriority("other", 6), new HostPriority("holder", 10),
                new HostPriority("stale", 6), new HostPriority("unknown", 6));
    }

    @Test
    void aNodeWithMoreOfTheSnapshotRanksAboveOneWithLessAndBothAboveNone() {
        view.put("most", new NodeCacheState(Set.of(), java.util.Map.of("hello/3", 0.9), 10_240, 10_240, 10, 10));
        view.put("half", new NodeCacheState(Set.of("world/1"), java.util.Map.of("hello/3", 0.5, "hello/2", 0.99),
                10_240, 10_240, 10, 10));
        node("none", 0, "hello/2");
        node("whole", 0, "hello/3");
        // 60 + 40 × share: 96, 80, 60 and 100, on kube-scheduler's 0..10.
        List<HostPriority> scores = extender.prioritize(args(KubeSchedulerPayloads.withNames(THAW_POD,
                List.of("none", "half", "most", "whole"))));
        assertThat(scores).containsExactly(new HostPriority("none", 6), new HostPriority("half", 8),
                new HostPriority("most", 10), new HostPriority("whole", 10));
        assertThat(view.node("half").orElseThrow().caches("hello/3")).isFalse();
        assertThat(view.node("half").orElseThrow().presentFraction("hello/3")).isEqualTo(0.5);
        assertThatThrownBy(() -> new NodeCacheState(Set.of(), java.util.Map.of("hello/3", 1.0), 1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hello/3");
    }

    @Test
    void aLoadedHolderRanksBelowAnIdleNonHolder() {
        node("holder", 9, "hello/3"); // 90 % of slots in use: 60 × 0.1 + 40 = 46 → 5
        node("idle", 0);
        List<HostPriority> scores = extender.prioritize(args(KubeSchedulerPayloads.withNames(THAW_POD,
                List.of("holder", "idle"))));
        assertThat(scores).containsExactly(new HostPriority("holder", 5), new HostPriority("idle", 6));
    }

    @Test
    void spreadIgnoresTheCache() {
        node("holder", 5, "hello/3");
        node("idle", 0);
        Extender spread = new Extender(view, SchedulerPolicy.SPREAD);
        assertThat(spread.prioritize(args(KubeSchedulerPayloads.withNames(THAW_POD, List.of("holder", "idle", "x")))))
                .containsExactly(new HostPriority("holder", 5), new HostPriority("idle", 10), new HostPriority("x", 10));
    }

    @Test
    void podsWithoutARevisionScoreZeroEverywhereAndPassEveryFilter() {
        node("holder", 0, "hello/3");
        node("full", 10);
        ExtenderArgs plain = args(KubeSchedulerPayloads.withNames(PLAIN_POD, List.of("holder", "full", "unknown")));
        assertThat(extender.prioritize(plain)).extracting(HostPriority::score).containsOnly(0L);
        ExtenderFilterResult result = extender.filter(plain);
        assertThat(result.nodenames()).containsExactly("holder", "full", "unknown");
        assertThat(result.failedNodes()).isEmpty();
        assertThat(result.error()).isNull();
    }

    @Test
    void filterInNodesFormEchoesTheSurvivingNodeObjects() {
        node("ok", 2);
        node("full", 10);
        view.put("tight", new NodeCacheState(Set.of(), 256, 10_240, 5, 10)); // the pod requests 512 MiB
        ExtenderFilterResult result = extender.filter(args(KubeSchedulerPayloads.withNodes(THAW_POD,
                List.of("ok", "full", "unknown", "tight"))));
        JsonNode json = tree(result);
        assertThat(json.has("nodenames")).isFalse();
        assertThat(json.has("error")).isFalse();
        List<String> kept = new ArrayList<>();
        json.path("nodes").path("items").forEach(item -> kept.add(item.path("metadata").path("name").asText()));
        assertThat(kept).containsExactly("ok", "unknown");
        // The Node objects come back whole, as kube-scheduler reads them.
        assertThat(json.path("nodes").path("items").get(0).path("status").path("nodeInfo").path("kubeletVersion")
                .asText()).isEqualTo("v1.31.2");
        assertThat(json.path("failedNodes").path("full").asText()).contains("no free function slot");
        assertThat(json.path("failedNodes").path("tight").asText())
                .isEqualTo("thaw: 256 MiB free, the pod requests 512 MiB");
        assertThat(json.path("failedAndUnresolvableNodes").isEmpty()).isTrue();
    }

    @Test
    void filterInNamesFormAnswersWithNames() {
        node("full", 10);
        JsonNode json = tree(extender.filter(args(KubeSchedulerPayloads.withNames(THAW_POD, List.of("a", "full", "b")))));
        assertThat(json.has("nodes")).isFalse();
        assertThat(json.path("nodenames").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(json.path("failedNodes").fieldNames()).toIterable().containsExactly("full");
    }

    @Test
    void hostPriorityUsesKubeSchedulersFieldNames() {
        assertThat(Json.write(List.of(new HostPriority("n1", 7)))).isEqualTo("[{\"host\":\"n1\",\"score\":7}]");
        assertThat(Json.write(ExtenderFilterResult.failure("bad"))).isEqualTo("{\"error\":\"bad\"}");
    }

    @Test
    void unusableArgsSayWhatIsWrong() {
        assertThatThrownBy(() -> args("{\"pod\":")).hasMessageStartingWith("ExtenderArgs is not valid JSON");
        assertThatThrownBy(() -> args("[]")).hasMessage("ExtenderArgs must be a JSON object");
        assertThatThrownBy(() -> args("{\"nodenames\":[\"a\"]}")).hasMessage("ExtenderArgs has no 'pod' object");
        assertThatThrownBy(() -> args("{\"pod\":{}}"))
                .hasMessage("ExtenderArgs has neither 'nodenames' nor a 'nodes' NodeList");
        assertThatThrownBy(() -> args("{\"pod\":{},\"nodenames\":[1]}")).hasMessageContaining("array of strings");
        assertThatThrownBy(() -> args("{\"pod\":{},\"nodes\":{\"items\":[{\"metadata\":{}}]}}"))
                .hasMessage("'nodes.items[0]' has no metadata.name");
    }

    @Test
    void memoryRequestsFollowKubernetesQuantities() throws Exception {
        assertThat(PodRequests.memoryMib(Json.mapper().readTree(THAW_POD))).hasValue(512); // 256Mi + 0.25Gi
        assertThat(PodRequests.quantity(TextNode.valueOf("1G")).longValueExact()).isEqualTo(1_000_000_000L);
        assertThat(PodRequests.quantity(TextNode.valueOf("1e3")).longValueExact()).isEqualTo(1000);
        assertThat(PodRequests.quantity(TextNode.valueOf("2Ki")).longValueExact()).isEqualTo(2048);
        assertThat(PodRequests.memoryMib(Json.mapper().readTree(PLAIN_POD))).isEmpty();
        assertThat(PodRequests.memoryMib(Json.mapper().readTree(
                "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"memory\":\"lots\"}}}]}}"))).isEmpty();
    }

    @Test
    void scoresScaleToTenRoundingHalfUp() {
        assertThat(Extender.scaled(0)).isZero();
        assertThat(Extender.scaled(44)).isEqualTo(4);
        assertThat(Extender.scaled(45)).isEqualTo(5);
        assertThat(Extender.scaled(100)).isEqualTo(10);
    }
}
