package dev.thaw.bench.sim;

import dev.thaw.control.keepalive.ConcurrencyPeaks;
import dev.thaw.control.keepalive.HybridKeepAlive;

/**
 * The gateway's hybrid histogram keep-alive ({@link HybridKeepAlive}) on the simulator's per-function histograms.
 * A function's plan is computed again once its histogram has 1/64 more idle times than when it was last computed
 * (the gateway computes it each time; busy functions add millions of samples here). Idle instances of functions
 * that scale out get the fixed keep-alive, then stay on, up to {@code scaleOutMs} idle, while their function has no
 * more live instances than its recent peak concurrency ({@link ConcurrencyPeaks}).
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
    private final int[] memoryMib;
    private final int[] planSamples;
    private final HybridKeepAlive.Plan[] plans;
    private final HybridKeepAlive.Plan scaleOutPlan;

    /**
     * @param peakMinutes the window of the recent peak concurrency; 0 keeps every scale-out instance scaleOutMs
     * @param burstShare the share of the previous busy period's peak instances pre-warmed when a function with no
     *     instance is invoked again (0: none)
     * @param coldStartGibS the memory x time one avoided cold start is worth (GiB-s) under the marginal rule; 0 for
     *     the paper's percentile window
     */
    HybridHistogramKeepAlive(IdleHistogram histogram, int[] memoryMib, double fixedMs, double maxWindowMs,
            double scaleOutMs, int peakMinutes, double burstShare, double coldStartGibS) {
        int functions = memoryMib.length;
        this.memoryMib = memoryMib.clone();
        this.planSamples = new int[functions];
        java.util.Arrays.fill(planSamples, -1);
        this.plans = new HybridKeepAlive.Plan[functions];
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
        this.policy = new HybridKeepAlive(fixedMs, peaks != null ? fixedMs : scaleOutMs, maxWindowMs, coldStartGibS);
        this.scaleOutPlan = new HybridKeepAlive.Plan(Math.max(fixedMs, peaks != null ? fixedMs : scaleOutMs), null);
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
        return plan(function).keepAliveMs();
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
        HybridKeepAlive.Window w = plan(function).prewarm();
        return w == null ? null : new Window(w.startMs(), w.endMs());
    }

    private HybridKeepAlive.Plan plan(int function) {
        dev.thaw.control.keepalive.IdleHistogram h = histogram.of(function);
        if (policy.scalesOut(h)) {
            // The same plan whatever the histogram; computed afresh once the function no longer scales out.
            planSamples[function] = -1;
            return scaleOutPlan;
        }
        int samples = h.samples();
        int last = planSamples[function];
        if (last < 0 || samples >= last + Math.max(1, last / 64)) {
            plans[function] = policy.plan(h, memoryMib[function]);
            planSamples[function] = samples;
        }
        return plans[function];
    }

    @Override
    public double priority(int function, double lastUsedMs) {
        return lastUsedMs;
    }
}
