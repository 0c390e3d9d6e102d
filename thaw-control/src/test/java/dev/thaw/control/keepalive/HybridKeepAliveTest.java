package dev.thaw.control.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HybridKeepAliveTest {
    private static final HybridKeepAlive POLICY = new HybridKeepAlive(60_000, 120_000, 600_000);

    @Test
    void fixedUntilTheHistogramKnows() {
        IdleHistogram h = new IdleHistogram();
        h.record(300_000);
        assertThat(POLICY.keepAliveMs(h)).isEqualTo(60_000);
        assertThat(POLICY.prewarm(h)).isNull();
        assertThat(KeepAlivePolicy.FIXED.keepAliveMs(60_000, h)).isEqualTo(60_000);
    }

    @Test
    void aPeriodicFunctionIsUnloadedAndPrewarmedAroundItsPeriod() {
        IdleHistogram h = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            h.record(290_000 + i * 2_000);
        }
        assertThat(POLICY.keepAliveMs(h)).isZero();
        HybridKeepAlive.Window window = POLICY.prewarm(h);
        assertThat(window.startMs()).isBetween(240_000.0, 290_000.0);
        assertThat(window.endMs()).isBetween(308_000.0, 370_000.0);
        assertThat(KeepAlivePolicy.HYBRID_HISTOGRAM.keepAliveMs(60_000, h)).isZero();
    }

    @Test
    void aFunctionThatComesBackSoonStaysUntilItsWindowEnds() {
        IdleHistogram h = new IdleHistogram();
        for (int i = 0; i < 20; i++) {
            h.record(i % 2 == 0 ? 20_000 : 90_000);
        }
        assertThat(POLICY.keepAliveMs(h)).isBetween(90_000.0, 110_000.0);
        IdleHistogram regular = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            regular.record(15_000);
        }
        // Back within 15 s every time: the fixed keep-alive covers it.
        assertThat(POLICY.keepAliveMs(regular)).isEqualTo(60_000);
        assertThat(POLICY.prewarm(h)).isNull();
    }

    @Test
    void rareUnpredictableFunctionsAreUnloadedAndScaleOutKeepsLonger() {
        IdleHistogram rare = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            rare.record(600_000 + i * 1_500_000);
        }
        assertThat(POLICY.window(rare)).isNull();
        assertThat(POLICY.keepAliveMs(rare)).isZero();
        IdleHistogram busy = new IdleHistogram();
        for (int i = 0; i < 10; i++) {
            busy.overlap();
            busy.overlap();
            busy.record(600_000);
        }
        assertThat(POLICY.keepAliveMs(busy)).isEqualTo(120_000);
        assertThat(KeepAlivePolicy.HYBRID_HISTOGRAM.keepAliveMs(30_000, busy)).isEqualTo(60_000);
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
        assertThat(POLICY.keepAliveMs(neverIdle)).isEqualTo(120_000);
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
