package dev.thaw.bench;

import dev.thaw.bench.report.NearestRank;
import java.util.Arrays;
import java.util.List;

/** p50, p90, p99 and max of a sample, by the nearest-rank method. */
public record Percentiles(double p50, double p90, double p99, double max, int count) {

    /** For a sample that may be empty: all NaN with a count of 0 (a run where no call took that path). */
    public static Percentiles ofPossiblyEmpty(List<Double> samples) {
        return samples.isEmpty() ? new Percentiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0) : of(samples);
    }

    public static Percentiles of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return new Percentiles(NearestRank.of(sorted, 0.50), NearestRank.of(sorted, 0.90),
                NearestRank.of(sorted, 0.99), sorted[sorted.length - 1], sorted.length);
    }
}
