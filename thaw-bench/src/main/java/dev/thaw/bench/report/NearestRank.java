package dev.thaw.bench.report;

/** Percentiles by the nearest-rank method: the smallest value with at least q of the sample at or below it. */
public final class NearestRank {

    private NearestRank() {}

    /** {@code sorted} must be ascending; {@code NaN} for an empty sample. */
    public static double of(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
