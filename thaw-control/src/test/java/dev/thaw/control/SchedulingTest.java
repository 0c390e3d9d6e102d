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

    /** An idle node holding {@code share} of the revision's 40 MiB snapshot. */
    private static NodeCandidate holding(String name, double share) {
        return new NodeCandidate(name, 10_000, 10_000, 10, 10, share, 40L << 20);
    }

    @Test
    void aNodeWithMoreOfTheSnapshotBeatsOneWithLessAndBothBeatNone() {
        NodeCandidate most = holding("a-most", 0.9);
        NodeCandidate little = holding("b-little", 0.1);
        NodeCandidate none = holding("c-none", 0);
        NodeCandidate whole = holding("d-whole", 1);
        for (SchedulerPolicy policy : List.of(SchedulerPolicy.SNAPSHOT_AWARE, SchedulerPolicy.COST_AWARE)) {
            assertThat(Scheduler.rank(policy, List.of(none, little, whole, most), 256)).as(policy.label())
                    .extracting(NodeCandidate::name).containsExactly("d-whole", "a-most", "b-little", "c-none");
        }
        // Snapshot-aware: the cache bonus in proportion, 60 + 40 × share.
        assertThat(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, most)).isEqualTo(96);
        assertThat(Scoring.score(SchedulerPolicy.SNAPSHOT_AWARE, little)).isEqualTo(64);
        // Spread stays blind to it.
        assertThat(Scoring.score(SchedulerPolicy.SPREAD, most)).isEqualTo(Scoring.score(SchedulerPolicy.SPREAD, none));
    }

    @Test
    void thePredictedFetchIsTheMissingShareOfTheSnapshotAndOnlyAWholeOneIsALocalStart() {
        StartCostModel costs = StartCostModel.MEASURED;
        double fullFetchMs = costs.predictMs(holding("none", 0)) - costs.restoreMs();
        assertThat(costs.predictMs(holding("most", 0.9)) - costs.restoreMs()).isCloseTo(0.1 * fullFetchMs,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(costs.predictMs(holding("half", 0.5)) - costs.restoreMs()).isCloseTo(0.5 * fullFetchMs,
                org.assertj.core.data.Offset.offset(1e-6));
        // Even 99.9 % is a remote start (restore from the store's layout plus the rest), not a local one.
        assertThat(costs.predictMs(holding("nearly", 0.999))).isGreaterThan(costs.restoreMs());
        assertThat(holding("nearly", 0.999).cachesRevision()).isFalse();
        assertThat(costs.predictMs(holding("whole", 1))).isEqualTo(costs.localMs());
        // The share counts with an unknown snapshot size too: the model's default fetch, in part.
        NodeCandidate unknownSize = new NodeCandidate("u", 10_000, 10_000, 10, 10, 0.75, NodeCandidate.UNKNOWN_BYTES);
        assertThat(costs.predictMs(unknownSize)).isCloseTo(costs.restoreMs()
                + 0.25 * costs.defaultFetchBytes() / 1048576.0 / costs.bandwidthMibPerS() * 1000,
                org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void allOrNothingCandidatesScoreAsTheyDidBeforePresence() {
        // The boolean form is the share 1 or 0; the scores are those of the 60/40 and cost rules above.
        assertThat(node("h", 0, true).presentFraction()).isEqualTo(1.0);
        assertThat(node("o", 0, false).presentFraction()).isZero();
        assertThat(new NodeCandidate("h", 10_000, 10_000, 10, 10, true, 400L << 20))
                .isEqualTo(new NodeCandidate("h", 10_000, 10_000, 10, 10, 1.0, 400L << 20));
        assertThat(Scoring.score(SchedulerPolicy.COST_AWARE, node("o", 0, false))).isEqualTo(
                (int) Math.round(100 * StartCostModel.MEASURED.localMs() / (StartCostModel.MEASURED.restoreMs()
                        + 41.1 / StartCostModel.MEASURED.bandwidthMibPerS() * 1000)));
    }

    @Test
    void aShareOutsideZeroToOneIsRefused() {
        for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> holding("n", bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("node n");
        }
    }
}
