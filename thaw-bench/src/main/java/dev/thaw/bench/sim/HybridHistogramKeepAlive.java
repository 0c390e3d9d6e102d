package dev.thaw.bench.sim;

import dev.thaw.control.keepalive.HybridKeepAlive;

/** The gateway's hybrid histogram keep-alive ({@link HybridKeepAlive}) on the simulator's per-function histograms. */
final class HybridHistogramKeepAlive implements KeepAlivePolicy {
    static final int MIN_SAMPLES = HybridKeepAlive.MIN_SAMPLES;
    static final double HEAD = HybridKeepAlive.HEAD;
    private final IdleHistogram histogram;
    private final HybridKeepAlive policy;

    HybridHistogramKeepAlive(IdleHistogram histogram, double fallbackMs, double maxWindowMs, double concurrentMs) {
        this.histogram = histogram;
        this.policy = new HybridKeepAlive(fallbackMs, concurrentMs, maxWindowMs);
    }

    @Override
    public String name() {
        return "hybrid-histogram";
    }

    @Override
    public double keepAliveMs(int function, double endMs) {
        return policy.keepAliveMs(histogram.of(function));
    }

    @Override
    public Window prewarm(int function, double lastEndMs) {
        HybridKeepAlive.Window w = policy.prewarm(histogram.of(function));
        return w == null ? null : new Window(w.startMs(), w.endMs());
    }

    @Override
    public double priority(int function, double lastUsedMs) {
        return lastUsedMs;
    }
}
