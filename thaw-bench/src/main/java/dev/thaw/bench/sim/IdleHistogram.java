package dev.thaw.bench.sim;

/**
 * Per function, a histogram of idle times (from the end of the function's last execution to its next invocation),
 * as in "Serverless in the Wild" but with 64 log-spaced bins from 1 s to 4 h instead of 240 one-minute bins: the
 * simulator places invocations within the minute, and a periodic function's idle time is then known to seconds.
 */
public final class IdleHistogram {
    static final int BINS = 64;
    static final double MIN_MS = 1000;
    static final double MAX_MS = 4 * 3600_000;
    private static final double LOG_RATIO = Math.log(MAX_MS / MIN_MS) / BINS;

    private final int[][] bins;
    private final int[] samples;
    private final int[] outOfBounds;
    private final int[] overlaps;

    public IdleHistogram(int functions) {
        bins = new int[functions][BINS];
        samples = new int[functions];
        outOfBounds = new int[functions];
        overlaps = new int[functions];
    }

    /** An invocation that arrived while another of the function still ran: no idle time, a concurrent start. */
    public void overlap(int function) {
        overlaps[function]++;
    }

    public int overlaps(int function) {
        return overlaps[function];
    }

    public void record(int function, double idleMs) {
        samples[function]++;
        if (idleMs >= MAX_MS) {
            outOfBounds[function]++;
            return;
        }
        bins[function][bin(idleMs)]++;
    }

    static int bin(double idleMs) {
        if (idleMs < MIN_MS) {
            return 0;
        }
        return Math.min(BINS - 1, (int) (Math.log(idleMs / MIN_MS) / LOG_RATIO) + 1);
    }

    /** Lower edge of a bin; bin 0 holds everything under a second. */
    static double lower(int bin) {
        return bin == 0 ? 0 : MIN_MS * Math.exp((bin - 1) * LOG_RATIO);
    }

    static double upper(int bin) {
        return MIN_MS * Math.exp(bin * LOG_RATIO);
    }

    public int samples(int function) {
        return samples[function];
    }

    public int outOfBounds(int function) {
        return outOfBounds[function];
    }

    /** The lower edge of the bin holding quantile {@code q} of the idle times (tail: the bin's upper edge). */
    public double quantileMs(int function, double q, boolean upperEdge) {
        int n = samples[function];
        if (n == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        int[] row = bins[function];
        for (int b = 0; b < BINS; b++) {
            seen += row[b];
            if (seen >= rank) {
                return upperEdge ? upper(b) : lower(b);
            }
        }
        return MAX_MS;
    }

    /** Share of idle times at or under {@code ms}, counted by whole bins. */
    public double shareUnder(int function, double ms) {
        int n = samples[function];
        if (n == 0) {
            return Double.NaN;
        }
        long seen = 0;
        int[] row = bins[function];
        for (int b = 0; b < BINS && upper(b) <= ms * 1.0001; b++) {
            seen += row[b];
        }
        return (double) seen / n;
    }
}
