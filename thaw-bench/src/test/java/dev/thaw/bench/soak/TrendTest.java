package dev.thaw.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrendTest {
    /** Sixty samples thirty seconds apart: half an hour. */
    private static final double[] SECONDS = IntStream.range(0, 60).mapToDouble(i -> i * 30.0).toArray();

    @Test
    void aSteadyLeakGrows() {
        // 4 MiB a minute on 300 MiB, with noise of a few MiB.
        Random random = new Random(7);
        double[] values = IntStream.range(0, 60).mapToDouble(i -> 300 + 2 * i + random.nextGaussian() * 3).toArray();
        Trend t = Trend.of(SECONDS, values, 32);
        assertThat(t.verdict()).isEqualTo(Trend.Verdict.GROWS);
        assertThat(t.slopePerHour()).isCloseTo(240, within(30.0));
        assertThat(t.tValue()).isGreaterThan(Trend.T_LIMIT);
        assertThat(t.growth()).isGreaterThan(50);
        assertThat(t.samples()).isEqualTo(30);
    }

    @Test
    void warmUpThenAPlateauIsFlat() {
        // Rises over the first ten minutes (JIT, caches, pools), then stays: not a leak.
        double[] values = IntStream.range(0, 60).mapToDouble(i -> i < 20 ? 200 + i * 5 : 300).toArray();
        Trend t = Trend.of(SECONDS, values, 32);
        assertThat(t.verdict()).isEqualTo(Trend.Verdict.FLAT);
        assertThat(t.slopePerHour()).isZero();
        assertThat(t.firstHalfMean()).isLessThan(t.secondHalfMean());
    }

    @Test
    void aGarbageCollectionSawtoothIsFlat() {
        double[] values = IntStream.range(0, 60).mapToDouble(i -> 100 + (i % 7) * 40).toArray();
        assertThat(Trend.of(SECONDS, values, 64).verdict()).isEqualTo(Trend.Verdict.FLAT);
    }

    @Test
    void aSignificantButSmallRiseIsUnderTheFloor() {
        // Two more descriptors over a quarter of an hour: steady, but no leak worth the name.
        double[] values = IntStream.range(0, 60).mapToDouble(i -> 250 + (i >= 30 ? (i - 30) / 15.0 : 0)).toArray();
        Trend t = Trend.of(SECONDS, values, 16);
        assertThat(t.tValue()).isGreaterThan(Trend.T_LIMIT);
        assertThat(t.verdict()).isEqualTo(Trend.Verdict.FLAT);
    }

    @Test
    void aStraightRiseHasInfiniteTAndGrows() {
        double[] values = IntStream.range(0, 60).mapToDouble(i -> i).toArray();
        Trend t = Trend.of(SECONDS, values, 2);
        assertThat(t.tValue()).isInfinite();
        assertThat(t.verdict()).isEqualTo(Trend.Verdict.GROWS);
    }

    @Test
    void tooFewOrMissingPointsSayNothing() {
        assertThat(Trend.of(new double[] {0, 30, 60}, new double[] {1, 2, 3}, 0).verdict())
                .isEqualTo(Trend.Verdict.TOO_FEW);
        double[] gaps = IntStream.range(0, 60).mapToDouble(i -> i % 2 == 0 ? Double.NaN : 5).toArray();
        Trend t = Trend.of(SECONDS, gaps, 1);
        assertThat(t.samples()).isEqualTo(15);
        assertThat(t.verdict()).isEqualTo(Trend.Verdict.FLAT);
        assertThat(Trend.of(new double[0], new double[0], 1).verdict()).isEqualTo(Trend.Verdict.TOO_FEW);
    }
}
