package dev.thaw.bench.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a series grew without bound over a run: a least-squares line through the second half of its samples
 * (after start-up and warm-up settle), its slope compared with the noise around it. A series grows when the
 * slope is more than {@link #T_LIMIT} standard errors above zero <em>and</em> the growth it implies over the
 * second half is more than the metric's floor and {@link #RELATIVE_LIMIT} of the first half's mean: a leak is
 * steady and large; a sawtooth (garbage collection) or a step (one more cached connection) is neither.
 *
 * @param samples points in the second half
 * @param firstHalfMean mean of the first half
 * @param secondHalfMean mean of the second half
 * @param slopePerHour the fitted slope, in the series' unit per hour
 * @param slopeErrorPerHour the slope's standard error, per hour
 * @param tValue slope / standard error (infinite for a perfectly straight rising line)
 * @param growth slope times the second half's span: how much the line rose over it
 */
public record Trend(int samples, double firstHalfMean, double secondHalfMean, double slopePerHour,
        double slopeErrorPerHour, double tValue, double growth, Verdict verdict) {

    /** About a 0.3 % chance of a flat series this steep by noise alone, for independent normal residuals. */
    public static final double T_LIMIT = 3;
    public static final double RELATIVE_LIMIT = 0.10;
    /** Fewer points than this in the second half say nothing. */
    public static final int MIN_SAMPLES = 4;

    public enum Verdict {
        FLAT("flat"), GROWS("GROWS"), TOO_FEW("too few samples");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * @param seconds sample times, ascending
     * @param values the series; NaN points are left out
     * @param floor the least growth that counts, in the series' unit
     */
    public static Trend of(double[] seconds, double[] values, double floor) {
        if (seconds.length != values.length) {
            throw new IllegalArgumentException("seconds and values differ in length");
        }
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < seconds.length; i++) {
            if (Double.isFinite(values[i]) && Double.isFinite(seconds[i])) {
                points.add(new double[] {seconds[i], values[i]});
            }
        }
        if (points.size() < 2) {
            return new Trend(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Verdict.TOO_FEW);
        }
        double start = points.getFirst()[0];
        double middle = start + (points.getLast()[0] - start) / 2;
        List<double[]> first = points.stream().filter(p -> p[0] < middle).toList();
        List<double[]> second = points.stream().filter(p -> p[0] >= middle).toList();
        double firstMean = first.stream().mapToDouble(p -> p[1]).average().orElse(Double.NaN);
        double n = second.size();
        double tMean = second.stream().mapToDouble(p -> p[0]).average().orElse(Double.NaN);
        double yMean = second.stream().mapToDouble(p -> p[1]).average().orElse(Double.NaN);
        if (second.size() < MIN_SAMPLES) {
            return new Trend(second.size(), firstMean, yMean, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Verdict.TOO_FEW);
        }
        double sxx = 0;
        double sxy = 0;
        for (double[] p : second) {
            sxx += (p[0] - tMean) * (p[0] - tMean);
            sxy += (p[0] - tMean) * (p[1] - yMean);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        double residuals = 0;
        for (double[] p : second) {
            double r = p[1] - (yMean + slope * (p[0] - tMean));
            residuals += r * r;
        }
        double se = sxx == 0 ? Double.NaN : Math.sqrt(residuals / (n - 2) / sxx);
        double t = slope == 0 ? 0 : se == 0 ? Math.copySign(Double.POSITIVE_INFINITY, slope) : slope / se;
        double span = second.getLast()[0] - second.getFirst()[0];
        double growth = slope * span;
        double threshold = Math.max(floor, RELATIVE_LIMIT * Math.abs(firstMean));
        boolean grows = t > T_LIMIT && growth > threshold;
        return new Trend(second.size(), firstMean, yMean, slope * 3600, se * 3600, t, growth,
                grows ? Verdict.GROWS : Verdict.FLAT);
    }
}
