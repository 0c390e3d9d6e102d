package dev.thaw.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HybridHistogramKeepAliveTest {
    private static IdleHistogram scalingOut() {
        IdleHistogram h = new IdleHistogram(1);
        for (int i = 0; i < 4; i++) {
            h.record(0, 2_000);
            h.overlap(0);
            h.overlap(0);
        }
        return h;
    }

    @Test
    void aScaleOutInstanceStaysPastTheFixedKeepAliveOnlyWhileItsFunctionIsWithinItsRecentPeak() {
        HybridHistogramKeepAlive policy = new HybridHistogramKeepAlive(scalingOut(), new int[] {128},
                60_000, 600_000, 300_000, 10, 0, 0);
        assertThat(policy.keepAliveMs(0, 0)).isEqualTo(60_000);
        policy.running(0, 1_000, 3);
        // Three instances at a peak of three: kept, a quarter of the fixed keep-alive at a time.
        assertThat(policy.extendMs(0, 61_000, 3, 60_000)).isEqualTo(15_000);
        // A fourth is surplus.
        assertThat(policy.extendMs(0, 61_000, 4, 60_000)).isZero();
        // Never longer than the scale-out keep-alive in all.
        assertThat(policy.extendMs(0, 290_000, 3, 290_000)).isEqualTo(10_000);
        assertThat(policy.extendMs(0, 300_000, 3, 300_000)).isZero();
        // Once the peak has aged out of the window, none stays.
        assertThat(policy.extendMs(0, 11 * 60_000, 1, 100_000)).isZero();
    }

    @Test
    void withoutAPeakWindowScaleOutInstancesStayTheScaleOutKeepAlive() {
        HybridHistogramKeepAlive policy = new HybridHistogramKeepAlive(scalingOut(), new int[] {128},
                60_000, 600_000, 300_000, 0, 0, 0);
        assertThat(policy.keepAliveMs(0, 0)).isEqualTo(300_000);
        assertThat(policy.extendMs(0, 61_000, 1, 60_000)).isZero();
    }

    @Test
    void aFunctionThatDoesNotScaleOutIsNeverExtended() {
        IdleHistogram h = new IdleHistogram(1);
        HybridHistogramKeepAlive policy = new HybridHistogramKeepAlive(h, new int[] {128},
                60_000, 600_000, 300_000, 10, 0, 0);
        policy.running(0, 0, 1);
        assertThat(policy.extendMs(0, 61_000, 1, 60_000)).isZero();
    }
}
