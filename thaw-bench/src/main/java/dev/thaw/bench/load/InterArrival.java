package dev.thaw.bench.load;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** How a minute's invocation count is spread over that minute, as in the In-Vitro loader. */
public enum InterArrival {
    /** Exponential gaps (a Poisson process), squeezed into the minute when they would overrun it. */
    EXPONENTIAL,
    /** Independent uniform times within the minute. */
    UNIFORM,
    /** Evenly spaced: the i-th of n at i * 60 / n seconds. */
    EQUIDISTANT;

    /** {@code count} offsets in {@code [0, span)} seconds, ascending. */
    public double[] offsets(int count, double span, RandomGenerator random) {
        double[] offsets = new double[count];
        switch (this) {
            case EQUIDISTANT -> {
                for (int i = 0; i < count; i++) {
                    offsets[i] = i * span / count;
                }
            }
            case UNIFORM -> {
                for (int i = 0; i < count; i++) {
                    offsets[i] = random.nextDouble() * span;
                }
                Arrays.sort(offsets);
            }
            case EXPONENTIAL -> {
                double mean = span / count;
                double sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += random.nextExponential() * mean;
                    offsets[i] = sum;
                }
                // One more gap past the last arrival, so that rescaling never puts an arrival at the minute's end.
                double total = sum + random.nextExponential() * mean;
                if (total >= span) {
                    for (int i = 0; i < count; i++) {
                        offsets[i] *= span / total;
                    }
                }
            }
        }
        return offsets;
    }
}
