package dev.thaw.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorTest {
    private static final StartCosts COSTS = StartCosts.MEASURED;
    private static final ClusterConfig ONE_NODE = new ClusterConfig(1, 4096, 8, 1L << 30);

    private static SimTrace trace(double durationMs, int[]... counts) {
        List<SimFunction> functions = new java.util.ArrayList<>();
        for (int f = 0; f < counts.length; f++) {
            functions.add(new SimFunction("f" + f, 128, durationMs, 128L << 20, 20L << 20));
        }
        return new SimTrace("test", functions, counts, counts[0].length);
    }

    private static int[] at(int minutes, int... invokedAt) {
        int[] counts = new int[minutes];
        for (int m : invokedAt) {
            counts[m]++;
        }
        return counts;
    }

    @Test
    void fixedKeepAliveBootsThenRestoresFromTheLocalCache() {
        SimTrace trace = trace(100, at(10, 0, 5));
        SimResult r = new Simulator(trace, ONE_NODE, COSTS, 1, 60_000).run(Combination.TODAY, Simulator.Progress.NONE);
        assertThat(r.coldStarts()).isEqualTo(2);
        assertThat(r.startsByTier()).containsEntry(Tier.BOOT, 1L).containsEntry(Tier.LOCAL, 1L)
                .containsEntry(Tier.WARM, 0L);
        assertThat(r.meanInitMs()).isCloseTo((COSTS.bootMs() + COSTS.localMs()) / 2, within(1e-9));
        // Each instance lives its start, its 100 ms run and the 60 s keep-alive.
        double mibMs = (COSTS.bootMs() + 100 + 60_000 + COSTS.localMs() + 100 + 60_000) * 128;
        assertThat(r.memoryGibS()).isCloseTo(mibMs / 1024 / 1000, within(1e-6));
        assertThat(r.bytesFetched()).isZero();
        assertThat(r.byteMissRatio()).isZero();
    }

    @Test
    void aBurstAfterAnIdlePeriodFindsInstancesPreWarmedByThePreviousBurstsPeak() {
        // Two bursts of 20 long calls, 30 minutes apart: the second finds no instance left.
        int[] counts = new int[40];
        counts[0] = 20;
        counts[30] = 20;
        SimTrace trace = trace(50_000, counts);
        ClusterConfig big = new ClusterConfig(1, 16_384, 64, 1L << 30);
        Combination hybrid = new Combination("hybrid-histogram", "lru", "snapshot-aware", "none");
        SimResult none = new Simulator(trace, big, COSTS, 1, 60_000, 120_000, 0, 0).run(hybrid,
                Simulator.Progress.NONE);
        SimResult burst = new Simulator(trace, big, COSTS, 1, 60_000, 120_000, 0, 1).run(hybrid,
                Simulator.Progress.NONE);
        // Calls arrive within a minute and each runs 50 s: the first burst needs most of its 20 instances.
        assertThat(none.coldStarts()).isGreaterThan(25);
        // The second burst starts one instance itself and pre-warms the rest of the first burst's peak.
        long peak = none.coldStarts() / 2;
        assertThat(burst.coldStarts()).isLessThan(none.coldStarts() - peak / 2);
        assertThat(burst.prewarmsByTier().values().stream().mapToLong(Long::longValue).sum())
                .isGreaterThanOrEqualTo(peak / 2);
        assertThatThrownBy(() -> new Simulator(trace, big, COSTS, 1, 60_000, 120_000, 0, 1.5))
                .hasMessageContaining("0..1");
    }

    @Test
    void theMarginalRulePrewarmsAPeriodicFunctionOncePerIdlePeriod() {
        // Every 5 minutes for 4 hours, at a random second of the minute.
        int[] invokedAt = new int[48];
        for (int i = 0; i < invokedAt.length; i++) {
            invokedAt[i] = 5 * i;
        }
        SimTrace trace = trace(100, at(240, invokedAt));
        Combination hybrid = new Combination("hybrid-histogram", "lru", "snapshot-aware", "none");
        SimResult fixed = new Simulator(trace, ONE_NODE, COSTS, 1, 60_000).run(Combination.TODAY,
                Simulator.Progress.NONE);
        SimResult marginal = new Simulator(trace, ONE_NODE, COSTS, 1, 60_000, 120_000, 0, 0, 14).run(hybrid,
                Simulator.Progress.NONE);
        assertThat(fixed.coldStarts()).isEqualTo(48);
        // Once the histogram knows the period, an instance is pre-warmed before each return.
        assertThat(marginal.coldStarts()).isLessThan(15);
        long prewarms = marginal.prewarmsByTier().values().stream().mapToLong(Long::longValue).sum();
        assertThat(prewarms).isBetween(30L, 47L);
        // Each pre-warmed instance lives at most its window (10 min) and the restore before it.
        assertThat(marginal.memoryGibS()).isLessThan(prewarms * (600 + 5) * 128 / 1024.0 + fixed.memoryGibS());
        assertThatThrownBy(() -> new Simulator(trace, ONE_NODE, COSTS, 1, 60_000, 120_000, 0, 0, -1))
                .hasMessageContaining("GiB-s");
    }

    @Test
    void aLongerKeepAliveServesTheSecondCallWarm() {
        SimTrace trace = trace(100, at(10, 0, 5));
        SimResult r = new Simulator(trace, ONE_NODE, COSTS, 1, 600_000).run(Combination.TODAY,
                Simulator.Progress.NONE);
        assertThat(r.coldStarts()).isEqualTo(1);
        assertThat(r.startsByTier()).containsEntry(Tier.WARM, 1L);
    }

    @Test
    void aSecondNodeFetchesFromTheStore() {
        // Two long calls at once on nodes with one slot each: the second goes to the other node and fetches.
        SimTrace trace = trace(200_000, at(5, 0, 0));
        ClusterConfig two = new ClusterConfig(2, 4096, 1, 1L << 30);
        SimResult r = new Simulator(trace, two, COSTS, 1, 60_000).run(Combination.TODAY, Simulator.Progress.NONE);
        assertThat(r.startsByTier()).containsEntry(Tier.BOOT, 1L).containsEntry(Tier.REMOTE, 1L);
        assertThat(r.bytesFetched()).isEqualTo(20L << 20);
        assertThat(r.byteMissRatio()).isEqualTo(1.0);
    }

    @Test
    void aFullClusterRejects() {
        SimTrace trace = trace(200_000, at(5, 0, 0));
        ClusterConfig tiny = new ClusterConfig(1, 128, 8, 1L << 30);
        SimResult r = new Simulator(trace, tiny, COSTS, 1, 60_000).run(Combination.TODAY, Simulator.Progress.NONE);
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.coldStarts()).isEqualTo(1);
    }

    @Test
    void greedyDualKeepsInstancesUntilMemoryIsNeeded() {
        SimTrace trace = trace(100, at(30, 0, 10, 20));
        SimResult r = new Simulator(trace, ONE_NODE, COSTS, 1, 60_000)
                .run(new Combination("greedy-dual", "lru", "snapshot-aware", "none"), Simulator.Progress.NONE);
        assertThat(r.coldStarts()).isEqualTo(1);
        // One instance for the whole 30 minutes, less the part of minute 0 before the first call.
        assertThat(r.memoryGibS()).isBetween(29 * 60 * 0.125, 30 * 60 * 0.125);
    }

    @Test
    void hybridHistogramLearnsAPeriodicFunctionAndPrewarmsIt() {
        int[] every10 = new int[1440];
        for (int m = 0; m < 1440; m += 10) {
            every10[m] = 1;
        }
        SimTrace trace = trace(500, every10);
        Simulator simulator = new Simulator(trace, ONE_NODE, COSTS, 1, 60_000);
        SimResult fixed = simulator.run(Combination.TODAY, Simulator.Progress.NONE);
        SimResult hybrid = simulator.run(new Combination("hybrid-histogram", "lru", "snapshot-aware", "none"),
                Simulator.Progress.NONE);
        assertThat(fixed.coldStarts()).isEqualTo(144);
        assertThat(hybrid.coldStarts()).isLessThanOrEqualTo(HybridHistogramKeepAlive.MIN_SAMPLES + 2);
        assertThat(hybrid.prewarmsByTier().get(Tier.LOCAL)).isGreaterThan(130L);
    }

    @Test
    void sameSeedSameResultOtherSeedOtherTimes() {
        SimTrace trace = trace(2_000, at(60, 0, 0, 1, 3, 3, 3, 7, 20, 21, 40, 41, 41, 59), at(60, 2, 2, 30, 31));
        Simulator a = new Simulator(trace, new ClusterConfig(2, 4096, 8, 200L << 20), COSTS, 5, 60_000);
        Combination chosen = Combination.CHOSEN;
        SimResult first = a.run(chosen, Simulator.Progress.NONE);
        SimResult second = a.run(chosen, Simulator.Progress.NONE);
        assertThat(second.coldStarts()).isEqualTo(first.coldStarts());
        assertThat(second.memoryGibS()).isEqualTo(first.memoryGibS());
        assertThat(second.startsByTier()).isEqualTo(first.startsByTier());
        assertThat(second.invocations()).isEqualTo(17);
    }

    @Test
    void unknownPoliciesListTheKnownOnes() {
        assertThatThrownBy(() -> Combination.parse("fixed+mru+snapshot-aware+none"))
                .hasMessageContaining("unknown eviction policy 'mru'").hasMessageContaining("lru, lfu, gdsf, w-tinylfu");
        assertThatThrownBy(() -> Combination.parse("forever+lru+snapshot-aware+none"))
                .hasMessageContaining("fixed, greedy-dual, hybrid-histogram");
        assertThatThrownBy(() -> Combination.parse("fixed+belady+snapshot-aware+none"))
                .hasMessageContaining("replay");
        assertThatThrownBy(() -> Combination.parse("fixed+lru+random+none")).hasMessageContaining("cost-aware");
        assertThatThrownBy(() -> Combination.parse("fixed+lru")).hasMessageContaining("keep-alive+eviction");
    }

    @Test
    void replayComparesEvictionPoliciesOnTheSameStreams() {
        int[][] counts = new int[12][];
        java.util.SplittableRandom random = new java.util.SplittableRandom(2);
        for (int f = 0; f < counts.length; f++) {
            counts[f] = new int[240];
            for (int m = 0; m < 240; m++) {
                counts[f][m] = random.nextDouble() < 0.05 + 0.02 * f ? 1 : 0;
            }
        }
        SimTrace trace = trace(100, counts);
        ClusterConfig cluster = new ClusterConfig(2, 4096, 8, 512L << 20);
        Simulator.AccessLog log = new Simulator.AccessLog(cluster);
        new Simulator(trace, cluster, COSTS, 1, 60_000).run(Combination.TODAY, Simulator.Progress.NONE, log);
        List<CacheReplay.Point> points = CacheReplay.run(trace, COSTS, log, "today",
                List.of("lru", "lfu", "gdsf", "w-tinylfu", "belady"), List.of(256L << 20, 512L << 20));
        assertThat(points).hasSize(10);
        for (long size : List.of(256L << 20, 512L << 20)) {
            double belady = points.stream().filter(p -> p.policy().equals("belady") && p.cacheBytes() == size)
                    .findFirst().orElseThrow().byteMissRatio();
            assertThat(points).filteredOn(p -> p.cacheBytes() == size)
                    .allSatisfy(p -> assertThat(p.byteMissRatio()).isGreaterThanOrEqualTo(belady - 1e-12));
        }
    }
}
