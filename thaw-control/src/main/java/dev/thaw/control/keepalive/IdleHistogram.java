package dev.thaw.control.keepalive;

/**
 * One function's idle times, from the end of its last execution to its next invocation, as in "Serverless in the
 * Wild" but in 64 log-spaced bins from 1 s to 4 h instead of 240 one-minute bins, so that a function invoked every
 * few seconds is told apart from one invoked every minute. Also counts invocations that arrived while another still
 * ran (no idle time: the function scaled out). Not thread-safe; the owner locks.
 */
public final class IdleHistogram {
    static final int BINS = 64;
    static final double MIN_MS = 1000;
    static final double MAX_MS = 4 * 3600_000;
    private static final double LOG_RATIO = Math.log(MAX_MS / MIN_MS) / BINS;
    private static final double[] LOWER = new double[BINS];
    private static final double[] UPPER = new double[BINS];

    static {
        for (int b = 0; b < BINS; b++) {
            LOWER[b] = b == 0 ? 0 : MIN_MS * Math.exp((b - 1) * LOG_RATIO);
            UPPER[b] = MIN_MS * Math.exp(b * LOG_RATIO);
        }
    }

    private final int[] bins = new int[BINS];
    private int samples;
    private int outOfBounds;
    private int overlaps;

    public void record(double idleMs) {
        samples++;
        if (idleMs >= MAX_MS) {
            outOfBounds++;
            return;
        }
        bins[bin(idleMs)]++;
    }

    /** An invocation that arrived while another of the function still ran. */
    public void overlap() {
        overlaps++;
    }

    public int samples() {
        return samples;
    }

    public int outOfBounds() {
        return outOfBounds;
    }

    public int overlaps() {
        return overlaps;
    }

    static int bin(double idleMs) {
        if (idleMs < MIN_MS) {
            return 0;
        }
        return Math.min(BINS - 1, (int) (Math.log(idleMs / MIN_MS) / LOG_RATIO) + 1);
    }

    static double lower(int bin) {
        return LOWER[bin];
    }

    static double upper(int bin) {
        return UPPER[bin];
    }

    /** Idle times recorded in {@code bin}. */
    int count(int bin) {
        return bins[bin];
    }

    /** The lower (or upper) edge of the bin holding quantile {@code q} of the idle times; NaN without samples. */
    public double quantileMs(double q, boolean upperEdge) {
        if (samples == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * samples);
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            seen += bins[b];
            if (seen >= rank) {
                return upperEdge ? upper(b) : lower(b);
            }
        }
        return MAX_MS;
    }

    /** Share of idle times at or under {@code ms}, counted by whole bins; NaN without samples. */
    public double shareUnder(double ms) {
        if (samples == 0) {
            return Double.NaN;
        }
        long seen = 0;
        for (int b = 0; b < BINS && upper(b) <= ms * 1.0001; b++) {
            seen += bins[b];
        }
        return (double) seen / samples;
    }
}
