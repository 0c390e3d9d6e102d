package dev.thaw.bench.sim;

import dev.thaw.control.keepalive.ConcurrencyPeaks;
import dev.thaw.control.keepalive.HybridKeepAlive;

/**
 * The gateway's hybrid histogram keep-alive ({@link HybridKeepAlive}) on the simulator's per-function histograms.
 * Idle instances of functions that scale out get the fixed keep-alive, then stay on, up to {@code scaleOutMs} idle,
 * while their function has no more live instances than its recent peak concurrency ({@link ConcurrencyPeaks}).
 */
final class HybridHistogramKeepAlive implements KeepAlivePolicy {
    static final int MIN_SAMPLES = HybridKeepAlive.MIN_SAMPLES;
    static final double HEAD = HybridKeepAlive.HEAD;
    private final IdleHistogram histogram;
    private final HybridKeepAlive policy;
    private final ConcurrencyPeaks[] peaks;
    private final double fixedMs;
    private final double scaleOutMs;
    private final double stepMs;
    private final double burstShare;

    /**
     * @param peakMinutes the window of the recent peak concurrency; 0 keeps every scale-out instance scaleOutMs
     * @param burstShare the share of the previous busy period's peak instances pre-warmed when a function with no
     *     instance is invoked again (0: none)
     */
    HybridHistogramKeepAlive(IdleHistogram histogram, int functions, double fixedMs, double maxWindowMs,
            double scaleOutMs, int peakMinutes, double burstShare) {
        this.burstShare = burstShare;
        this.histogram = histogram;
        this.fixedMs = fixedMs;
        this.scaleOutMs = scaleOutMs;
        this.stepMs = Math.max(1_000, fixedMs / 4);
        this.peaks = peakMinutes > 0 ? new ConcurrencyPeaks[functions] : null;
        if (peaks != null) {
            for (int f = 0; f < functions; f++) {
                peaks[f] = new ConcurrencyPeaks(peakMinutes);
            }
        }
        // With peaks, a scale-out instance first gets the fixed keep-alive and is then extended while needed.
        this.policy = new HybridKeepAlive(fixedMs, peaks != null ? fixedMs : scaleOutMs, maxWindowMs);
    }

    @Override
    public String name() {
        return "hybrid-histogram";
    }

    @Override
    public void running(int function, double nowMs, int running) {
        if (peaks != null) {
            peaks[function].record(nowMs, running);
        }
    }

    @Override
    public double keepAliveMs(int function, double endMs) {
        return policy.keepAliveMs(histogram.of(function));
    }

    @Override
    public double extendMs(int function, double nowMs, int instances, double idleMs) {
        // Less than a millisecond left is none: simulated time would not advance by it.
        if (peaks == null || idleMs >= scaleOutMs - 1 || !policy.scalesOut(histogram.of(function))
                || instances > peaks[function].peak(nowMs)) {
            return 0;
        }
        return Math.min(stepMs, scaleOutMs - idleMs);
    }

    @Override
    public int burstInstances(int function, int lastPeak) {
        // The invocation that found no instance starts one itself.
        return Math.max(0, (int) Math.floor(burstShare * lastPeak) - 1);
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
