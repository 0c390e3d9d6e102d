package dev.thaw.control.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HybridKeepAliveTest {
    private static final HybridKeepAlive POLICY = new HybridKeepAlive(60_000, 120_000, 600_000);
    /** The marginal rule, a cold start worth 20 GiB-s. */
    private static final HybridKeepAlive MARGINAL = new HybridKeepAlive(60_000, 120_000, 600_000, 20);

    private static IdleHistogram histogram(double... idleMs) {
        IdleHistogram h = new IdleHistogram();
        for (double idle : idleMs) {
            h.record(idle);
        }
        return h;
    }

    @Test
    void theMarginalRuleKeepsWhatPaysForItsMemoryAndUnloadsWhatDoesNot() {
        // Back within 2-9 s: an instance of 128 MiB pays for itself, one of 16 GiB does not.
        IdleHistogram h = histogram(2_000, 5_000, 8_000, 3_000, 6_500, 9_000, 4_000, 7_000);
        HybridKeepAlive.Plan small = MARGINAL.plan(h, 128);
        // At least the fixed keep-alive (to the end of the bin holding it): several instances of a function are
        // reused sooner than its idle times say; nothing is gained later, so no longer.
        assertThat(small.keepAliveMs()).isBetween(60_000.0, 70_000.0);
        assertThat(small.prewarm()).isNull();
        assertThat(MARGINAL.plan(h, 16_384)).isEqualTo(new HybridKeepAlive.Plan(0, null));
    }

    @Test
    void theMarginalRulePrewarmsANarrowWindowAroundAPeriod() {
        HybridKeepAlive.Plan plan = MARGINAL.plan(histogram(300_000, 301_000, 299_000, 300_500, 300_000), 256);
        assertThat(plan.keepAliveMs()).isZero();
        // The bin holding 299-301 s: 294.6-342.2 s.
        assertThat(plan.prewarm().startMs()).isBetween(294_000.0, 299_000.0);
        assertThat(plan.prewarm().endMs()).isBetween(301_000.0, 343_000.0);
    }

    @Test
    void theMarginalRuleDropsAThinTailThePercentileWindowKeeps() {
        double[] idle = new double[103];
        java.util.Arrays.fill(idle, 5_000);
        idle[100] = idle[101] = idle[102] = 400_000;
        IdleHistogram h = histogram(idle);
        // Three returns in 103 after 400 s: keeping 256 MiB for them costs about 85 GiB-s each.
        assertThat(MARGINAL.plan(h, 256).keepAliveMs()).isBetween(60_000.0, 70_000.0);
        assertThat(POLICY.keepAliveMs(h, 256)).isGreaterThan(400_000.0);
        // Worth more, a cold start buys the tail.
        assertThat(new HybridKeepAlive(60_000, 120_000, 600_000, 200).keepAliveMs(h, 256)).isGreaterThan(400_000.0);
    }

    @Test
    void theMarginalRulesSpanIsNoWiderThanTheWidestWindow() {
        double[] idle = new double[200];
        for (int i = 0; i < idle.length; i++) {
            idle[i] = 300_000 + i * 9_000;
        }
        // Returns spread over 5-35 min, and cheap to keep: the span is capped at 10 min.
        HybridKeepAlive.Window w = MARGINAL.plan(histogram(idle), 16).prewarm();
        assertThat(w).isNotNull();
        assertThat(w.endMs() - w.startMs()).isLessThanOrEqualTo(600_000.0);
        assertThat(w.startMs()).isGreaterThanOrEqualTo(HybridKeepAlive.MIN_PREWARM_MS);
    }

    @Test
    void underTheMarginalRuleUnknownFunctionsGetTheFixedKeepAliveAndScaleOutKeepsLonger() {
        assertThat(MARGINAL.plan(histogram(300_000), 256)).isEqualTo(new HybridKeepAlive.Plan(60_000, null));
        IdleHistogram busy = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            busy.overlap();
            busy.overlap();
            busy.record(600_000);
        }
        assertThat(MARGINAL.plan(busy, 16_384)).isEqualTo(new HybridKeepAlive.Plan(120_000, null));
    }

    @Test
    void theWorthOfAColdStartIsAFiniteNumberOfGibSeconds() {
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new HybridKeepAlive(60_000, 120_000, 600_000, bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GiB-s");
        }
    }

    @Test
    void fixedUntilTheHistogramKnows() {
        IdleHistogram h = new IdleHistogram();
        h.record(300_000);
        assertThat(POLICY.keepAliveMs(h, 128)).isEqualTo(60_000);
        assertThat(POLICY.prewarm(h, 128)).isNull();
        assertThat(KeepAlivePolicy.FIXED.keepAliveMs(60_000, h, 128)).isEqualTo(60_000);
    }

    @Test
    void aPeriodicFunctionIsUnloadedAndPrewarmedAroundItsPeriod() {
        IdleHistogram h = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            h.record(290_000 + i * 2_000);
        }
        assertThat(POLICY.keepAliveMs(h, 128)).isZero();
        HybridKeepAlive.Window window = POLICY.prewarm(h, 128);
        assertThat(window.startMs()).isBetween(240_000.0, 290_000.0);
        assertThat(window.endMs()).isBetween(308_000.0, 370_000.0);
        assertThat(KeepAlivePolicy.HYBRID_HISTOGRAM.keepAliveMs(60_000, h, 128)).isZero();
    }

    @Test
    void aFunctionThatComesBackSoonStaysUntilItsWindowEnds() {
        IdleHistogram h = new IdleHistogram();
        for (int i = 0; i < 20; i++) {
            h.record(i % 2 == 0 ? 20_000 : 90_000);
        }
        assertThat(POLICY.keepAliveMs(h, 128)).isBetween(90_000.0, 110_000.0);
        IdleHistogram regular = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            regular.record(15_000);
        }
        // Back within 15 s every time: the fixed keep-alive covers it.
        assertThat(POLICY.keepAliveMs(regular, 128)).isEqualTo(60_000);
        assertThat(POLICY.prewarm(h, 128)).isNull();
    }

    @Test
    void rareUnpredictableFunctionsAreUnloadedAndScaleOutKeepsLonger() {
        IdleHistogram rare = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            rare.record(600_000 + i * 1_500_000);
        }
        assertThat(POLICY.window(rare)).isNull();
        assertThat(POLICY.keepAliveMs(rare, 128)).isZero();
        IdleHistogram busy = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            busy.overlap();
            busy.overlap();
            busy.record(600_000);
        }
        assertThat(POLICY.keepAliveMs(busy, 128)).isEqualTo(120_000);
        assertThat(KeepAlivePolicy.HYBRID_HISTOGRAM.keepAliveMs(30_000, busy, 128)).isEqualTo(60_000);
    }

    @Test
    void aFunctionNeverIdleScalesOut() {
        IdleHistogram neverIdle = new IdleHistogram();
        for (int i = 0; i < HybridKeepAlive.MIN_SAMPLES - 1; i++) {
            neverIdle.overlap();
        }
        assertThat(POLICY.scalesOut(neverIdle)).isFalse();
        neverIdle.overlap();
        // No idle time at all: every invocation came while another ran.
        assertThat(POLICY.scalesOut(neverIdle)).isTrue();
        assertThat(POLICY.keepAliveMs(neverIdle, 128)).isEqualTo(120_000);
    }

    @Test
    void theNodeIsToldTheLongestKeepAliveThePolicyMayGive() {
        assertThat(KeepAlivePolicy.FIXED.longestKeepAliveMs(60_000)).isEqualTo(60_000);
        // A window of up to ten minutes that starts within the keep-alive, and the pre-warm lead.
        assertThat(KeepAlivePolicy.HYBRID_HISTOGRAM.longestKeepAliveMs(60_000))
                .isEqualTo(60_000 + KeepAlivePolicy.MAX_WINDOW_MS + SnapshotPrefetch.LEAD_MS);
        assertThat(KeepAlivePolicy.HYBRID_HISTOGRAM.longestKeepAliveMs(3_600_000))
                .isEqualTo(7_200_000 + SnapshotPrefetch.LEAD_MS);
    }

    @Test
    void parsesNamesAndListsTheKnownOnes() {
        assertThat(KeepAlivePolicy.parse("Hybrid_Histogram")).isEqualTo(KeepAlivePolicy.HYBRID_HISTOGRAM);
        assertThatThrownBy(() -> KeepAlivePolicy.parse("forever")).hasMessageContaining("fixed, hybrid-histogram");
    }
}
