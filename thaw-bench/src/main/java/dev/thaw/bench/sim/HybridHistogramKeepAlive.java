package dev.thaw.bench.sim;

/**
 * The hybrid histogram policy of "Serverless in the Wild" (Shahrad et al., ATC 2020), per function: once its idle
 * times are known (enough samples, few beyond the histogram's range), unload after each execution and pre-warm at
 * the 5th percentile of the idle time less a margin, keeping the instance until the 99th percentile plus a margin;
 * if the window starts within the fixed keep-alive anyway, just stay warm until its end. Until then, and for
 * functions whose idle times the histogram cannot tell, the fixed keep-alive applies, except that a function whose
 * idle times are known to be almost all longer than it is unloaded at once: keeping it would cost memory for no hits.
 * Thaw adds one rule: a function mostly invoked while another of its invocations runs scales out, and an idle
 * instance of it is far likelier to be reused soon than one of a rare function, so its instances stay
 * {@code concurrentMs} (the memory this costs is in the simulator's report).
 */
final class HybridHistogramKeepAlive implements KeepAlivePolicy {
    static final int MIN_SAMPLES = 4;
    /** The paper adds 10 % to its one-minute bins; log bins 16 % wide already widen the window by a bin. */
    static final double MARGIN = 0;
    static final double HEAD = 0.05;
    static final double TAIL = 0.99;
    private final IdleHistogram histogram;
    private final double fallbackMs;
    private final double maxWindowMs;
    private final double concurrentMs;

    HybridHistogramKeepAlive(IdleHistogram histogram, double fallbackMs, double maxWindowMs, double concurrentMs) {
        this.histogram = histogram;
        this.fallbackMs = fallbackMs;
        this.maxWindowMs = maxWindowMs;
        this.concurrentMs = concurrentMs;
    }

    /** Mostly invoked while another invocation still runs: it scales out, and its instances are reused soon. */
    private boolean concurrent(int function) {
        int n = histogram.samples(function);
        return n >= MIN_SAMPLES && histogram.overlaps(function) >= n;
    }

    @Override
    public String name() {
        return "hybrid-histogram";
    }

    /** The window relative to the last end, or null when the histogram cannot tell. */
    Window window(int function) {
        int n = histogram.samples(function);
        if (n < MIN_SAMPLES || histogram.outOfBounds(function) > n * (1 - TAIL)) {
            return null;
        }
        double start = histogram.quantileMs(function, HEAD, false) * (1 - MARGIN);
        double end = histogram.quantileMs(function, TAIL, true) * (1 + MARGIN);
        return end - start > maxWindowMs ? null : new Window(start, end);
    }

    @Override
    public double keepAliveMs(int function, double endMs) {
        if (concurrent(function)) {
            return Math.max(fallbackMs, concurrentMs);
        }
        Window window = window(function);
        if (window == null) {
            int n = histogram.samples(function);
            // Known to come back later than the fixed keep-alive almost always: do not hold memory for it.
            // Functions that mostly run several instances at once keep them: their idle times say nothing of
            // how soon an instance is reused.
            if (n >= MIN_SAMPLES && histogram.overlaps(function) < n
                    && histogram.shareUnder(function, fallbackMs) < HEAD) {
                return 0;
            }
            return fallbackMs;
        }
        // A function that comes back within the fixed keep-alive (or runs many instances at once, whose idle times
        // as a function are short) keeps at least the fixed keep-alive: each instance idles longer than the function.
        return window.startMs() <= fallbackMs ? Math.max(window.endMs(), fallbackMs) : 0;
    }

    @Override
    public Window prewarm(int function, double lastEndMs) {
        Window window = window(function);
        return window == null || window.startMs() <= fallbackMs ? null : window;
    }

    @Override
    public double priority(int function, double lastUsedMs) {
        return lastUsedMs;
    }
}
