package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.scheduling.NodeCandidate;
import dev.thaw.control.scheduling.Scheduler;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.control.scheduling.Scoring;
import dev.thaw.control.scheduling.StartCostModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulingTest {
    /** {@code busy} of 10 slots in use, memory in proportion. */
    private static NodeCandidate node(String name, int busy, boolean hit) {
        return new NodeCandidate(name, 1000L * (10 - busy), 10_000, 10 - busy, 10, hit);
    }

    @Test
    void spreadIsSnapshotBlindAndSnapshotAwarePrefersAHolder() {
        List<NodeCandidate> nodes = List.of(node("a", 0, false), node("b", 2, true));
        assertThat(Scheduler.pick(SchedulerPolicy.SPREAD, nodes, 256)).get().extracting(NodeCandidate::name)
                .isEqualTo("a");
        assertThat(Scheduler.pick(SchedulerPolicy.SNAPSHOT_AWARE, nodes, 256)).get().extracting(NodeCandidate::name)
                .isEqualTo("b");
    }

    @Test
    void cacheBonusIsWeighedAgainstLoad() {
        NodeCandidate idleOther = node("other", 0, false);
        assertThat(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, node("h", 0, true))).isEqualTo(100);
        assertThat(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, idleOther)).isEqualTo(60);
        assertThat(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, node("h", 5, true)))
                .isGreaterThan(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, idleOther));
        NodeCandidate busyHolder = node("holder", 9, true);
        assertThat(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, busyHolder)).isEqualTo(46);
        assertThat(Scheduler.pick(SchedulerPolicy.SNAPSHOT_AWARE, List.of(busyHolder, idleOther), 256)).get()
                .extracting(NodeCandidate::name).isEqualTo("other");
        assertThat(Scoring.score(SchedulerPolicy.SPREAD, node("x", 5, true))).isEqualTo(50);
    }

    @Test
    void filterDropsNodesWithoutMemoryOrSlotsAndTiesGoByName() {
        NodeCandidate full = node("full", 10, true);
        NodeCandidate noMemory = new NodeCandidate("nomem", 100, 10_000, 5, 10, true);
        NodeCandidate b = node("b", 3, false);
        NodeCandidate a = node("a", 3, false);
        assertThat(Scheduler.filter(List.of(full, noMemory, b, a), 256)).containsExactly(b, a);
        assertThat(Scheduler.rank(SchedulerPolicy.SPREAD, List.of(full, noMemory, b, a), 256)).containsExactly(a, b);
        assertThat(Scheduler.pick(SchedulerPolicy.SPREAD, List.of(full, noMemory), 256)).isEmpty();
    }

    @Test
    void policiesParseFromTheirLabels() {
        assertThat(SchedulerPolicy.parse("snapshot-aware")).isEqualTo(SchedulerPolicy.SNAPSHOT_AWARE);
        assertThat(SchedulerPolicy.parse("SPREAD")).isEqualTo(SchedulerPolicy.SPREAD);
        assertThatThrownBy(() -> SchedulerPolicy.parse("random")).hasMessageContaining("snapshot-aware, spread");
    }

    @Test
    void costAwarePredictsStartLatencyFromTierBytesAndLoad() {
        StartCostModel costs = StartCostModel.MEASURED;
        NodeCandidate idleHolder = node("holder", 0, true);
        NodeCandidate idleSmallFetch = new NodeCandidate("small", 10_000, 10_000, 10, 10, false, 1L << 20);
        NodeCandidate idleBigFetch = new NodeCandidate("big", 10_000, 10_000, 10, 10, false, 400L << 20);
        assertThat(costs.predictMs(idleHolder)).isEqualTo(costs.localMs());
        assertThat(costs.predictMs(idleBigFetch)).isGreaterThan(costs.predictMs(idleSmallFetch));
        assertThat(Scoring.score(SchedulerPolicy.COST_AWARE, idleHolder)).isEqualTo(100);
        // A holder at 90 % load: 168 + 0.9 x 168 ms beats a 400 MiB fetch but not a 1 MiB one.
        NodeCandidate busyHolder = new NodeCandidate("busy", 1000, 10_000, 1, 10, true, 400L << 20);
        assertThat(Scheduler.pick(SchedulerPolicy.COST_AWARE, List.of(busyHolder, idleBigFetch), 256)).get()
                .extracting(NodeCandidate::name).isEqualTo("busy");
        assertThat(Scheduler.pick(SchedulerPolicy.COST_AWARE, List.of(busyHolder, idleSmallFetch), 256)).get()
                .extracting(NodeCandidate::name).isEqualTo("small");
        assertThat(SchedulerPolicy.parse("cost-aware")).isEqualTo(SchedulerPolicy.COST_AWARE);
    }
}
