package dev.thaw.control.keepalive;

/**
 * The hybrid histogram keep-alive of "Serverless in the Wild" (Shahrad et al., USENIX ATC 2020), per function,
 * shared by the gateway and {@code thaw sim}. Once a function's idle times are known (at least {@link #MIN_SAMPLES},
 * at most 1 % beyond the histogram's 4 h), its instances are unloaded after each execution and one is pre-warmed at
 * the 5th percentile of the idle time, kept until the 99th; when that window starts within the fixed keep-alive
 * anyway, instances simply stay until its end, or the fixed keep-alive if that is longer. Functions whose idle times the histogram cannot tell get the fixed
 * keep-alive, except that one known to come back almost always (95 %) later than it is unloaded at once: keeping it
 * costs memory for no warm start. Thaw adds one rule: a function mostly invoked while another of its invocations
 * runs scales out, and an idle instance of it is reused far sooner than its function-level idle times say, so its
 * instances stay {@code scaleOutMs}.
 */
public final class HybridKeepAlive {
    public static final int MIN_SAMPLES = 4;
    public static final double HEAD = 0.05;
    public static final double TAIL = 0.99;

    private final double fixedMs;
    private final double scaleOutMs;
    private final double maxWindowMs;

    /**
     * @param fixedMs the fixed keep-alive, used until the histogram knows better
     * @param scaleOutMs how long idle instances of functions that scale out stay
     * @param maxWindowMs the widest pre-warm window worth holding memory for; wider histograms fall back
     */
    public HybridKeepAlive(double fixedMs, double scaleOutMs, double maxWindowMs) {
        if (!(fixedMs >= 0) || !(scaleOutMs >= 0) || !(maxWindowMs > 0)) {
            throw new IllegalArgumentException("keep-alive times must be >= 0");
        }
        this.fixedMs = fixedMs;
        this.scaleOutMs = scaleOutMs;
        this.maxWindowMs = maxWindowMs;
    }

    /** A pre-warm window relative to the end of the last execution. */
    public record Window(double startMs, double endMs) {
    }

    /** The histogram's window, or null when it cannot tell. Log bins 16 % wide already widen it by a bin a side. */
    public Window window(IdleHistogram h) {
        int n = h.samples();
        if (n < MIN_SAMPLES || h.outOfBounds() > n * (1 - TAIL)) {
            return null;
        }
        double start = h.quantileMs(HEAD, false);
        double end = h.quantileMs(TAIL, true);
        return end - start > maxWindowMs ? null : new Window(start, end);
    }

    /** Whether the function is mostly invoked while another of its invocations runs. */
    public boolean scalesOut(IdleHistogram h) {
        // A function never idle has no idle times at all: it scales out all the time.
        return h.overlaps() >= Math.max(MIN_SAMPLES, h.samples());
    }

    /** How long an instance that just became idle stays warm. */
    public double keepAliveMs(IdleHistogram h) {
        if (scalesOut(h)) {
            return Math.max(fixedMs, scaleOutMs);
        }
        Window window = window(h);
        if (window == null) {
            if (h.samples() >= MIN_SAMPLES && h.shareUnder(fixedMs) < HEAD) {
                return 0;
            }
            return fixedMs;
        }
        // Returning within the fixed keep-alive: keep at least that (the simulator finds a shorter one costs more
        // cold starts than the memory it saves).
        return window.startMs() <= fixedMs ? Math.max(window.endMs(), fixedMs) : 0;
    }

    /**
     * The earliest return the histogram predicts, in ms after the end of the last execution (its 5th percentile);
     * NaN when it cannot tell or the function scales out (its instances are reused, not started).
     */
    public double predictedReturnMs(IdleHistogram h) {
        Window window = window(h);
        return window == null || scalesOut(h) ? Double.NaN : window.startMs();
    }

    /** When the function's last instance is gone: the window to pre-warm one in, or null for none. */
    public Window prewarm(IdleHistogram h) {
        if (scalesOut(h)) {
            return null;
        }
        Window window = window(h);
        return window == null || window.startMs() <= fixedMs ? null : window;
    }
}
