package dev.thaw.control.keepalive;

/**
 * The hybrid histogram keep-alive of "Serverless in the Wild" (Shahrad et al., USENIX ATC 2020), per function,
 * shared by the gateway and {@code thaw sim}. Functions whose idle times are not known yet (fewer than
 * {@link #MIN_SAMPLES}) get the fixed keep-alive. Thaw adds one rule: a function mostly invoked while another of its
 * invocations runs scales out, and an idle instance of it is reused far sooner than its function-level idle times
 * say, so its instances stay {@code scaleOutMs}.
 *
 * <p>Which idle times an instance is kept for has two rules:
 * <ul>
 * <li>the paper's ({@code coldStartGibS} 0): at most 1 % beyond the histogram's 4 h, its instances are unloaded
 * after each execution and one is pre-warmed at the 5th percentile of the idle time, kept until the 99th; when that
 * window starts within the fixed keep-alive anyway, instances simply stay until its end, or the fixed keep-alive if
 * that is longer; wider histograms get the fixed keep-alive, except that a function known to come back almost always
 * (95 %) later than it is unloaded at once.</li>
 * <li>the marginal rule ({@code coldStartGibS} above 0): an instance is kept during the idle times in which it
 * avoids cold starts for less memory x time than one cold start is worth. From the histogram, each bin of idle
 * time costs the function's memory for as long as the idle periods reaching it spend in it, and avoids one cold
 * start for each idle period ending in it; the kept span is the one of most cold starts avoided less memory x time
 * spent (at {@code coldStartGibS} per cold start), at most {@code maxWindowMs} long. A span from the end of the
 * execution is a keep-alive; a later one is a pre-warm window (the instance is unloaded in between); none unloads
 * at once.</li>
 * </ul>
 */
public final class HybridKeepAlive {
    public static final int MIN_SAMPLES = 4;
    public static final double HEAD = 0.05;
    public static final double TAIL = 0.99;
    /** The earliest a pre-warm window may start: an instance unloaded sooner is not worth restoring again. */
    public static final double MIN_PREWARM_MS = 10_000;

    private final double fixedMs;
    private final double scaleOutMs;
    private final double maxWindowMs;
    private final double coldStartGibS;

    /** The paper's percentile rule. */
    public HybridKeepAlive(double fixedMs, double scaleOutMs, double maxWindowMs) {
        this(fixedMs, scaleOutMs, maxWindowMs, 0);
    }

    /**
     * @param fixedMs the fixed keep-alive, used until the histogram knows better
     * @param scaleOutMs how long idle instances of functions that scale out stay
     * @param maxWindowMs the widest pre-warm window (or kept span) worth holding memory for
     * @param coldStartGibS the memory x time one avoided cold start is worth, in GiB-seconds; 0 for the percentile
     *     rule
     */
    public HybridKeepAlive(double fixedMs, double scaleOutMs, double maxWindowMs, double coldStartGibS) {
        if (!(fixedMs >= 0) || !(scaleOutMs >= 0) || !(maxWindowMs > 0)) {
            throw new IllegalArgumentException("keep-alive times must be >= 0");
        }
        if (!(coldStartGibS >= 0) || Double.isInfinite(coldStartGibS)) {
            throw new IllegalArgumentException("the worth of a cold start must be a finite number >= 0 GiB-s, got "
                    + coldStartGibS);
        }
        this.fixedMs = fixedMs;
        this.scaleOutMs = scaleOutMs;
        this.maxWindowMs = maxWindowMs;
        this.coldStartGibS = coldStartGibS;
    }

    /** A pre-warm window relative to the end of the last execution. */
    public record Window(double startMs, double endMs) {
    }

    /**
     * What to do with an instance of a function once it is idle: keep it {@code keepAliveMs} (0: unload it at once),
     * and when the function's last instance is gone, pre-warm one for {@code prewarm} (null: none).
     */
    public record Plan(double keepAliveMs, Window prewarm) {
    }

    /** The plan for a function of {@code memoryMib} with idle times {@code h}. */
    public Plan plan(IdleHistogram h, double memoryMib) {
        if (scalesOut(h)) {
            return new Plan(Math.max(fixedMs, scaleOutMs), null);
        }
        if (coldStartGibS == 0) {
            return new Plan(percentileKeepAliveMs(h), percentilePrewarm(h));
        }
        if (h.samples() < MIN_SAMPLES) {
            return new Plan(fixedMs, null);
        }
        Window kept = worthKeeping(h, memoryMib);
        if (kept == null) {
            return new Plan(0, null);
        }
        return kept.startMs() == 0 ? new Plan(kept.endMs(), null) : new Plan(0, kept);
    }

    /**
     * The marginal rule's span of idle time (from the end of the last execution) in which keeping an instance of
     * {@code memoryMib} avoids the most cold starts net of its memory x time, priced at {@code coldStartGibS}; null
     * when no span pays. A span starts at 0 or at least {@link #MIN_PREWARM_MS} later, and is at most
     * {@code maxWindowMs} long.
     */
    Window worthKeeping(IdleHistogram h, double memoryMib) {
        int bins = IdleHistogram.BINS;
        // What a millisecond of an instance of this function costs, in cold starts.
        double price = memoryMib / 1024.0 / coldStartGibS / 1000.0;
        double[] prefix = new double[bins + 1];
        long reaching = h.samples();
        for (int b = 0; b < bins; b++) {
            int ending = h.count(b);
            double widthMs = IdleHistogram.upper(b) - IdleHistogram.lower(b);
            // Idle periods past this bin hold the instance all through it, those ending in it half through.
            double instanceMs = (reaching - ending) * widthMs + ending * widthMs / 2;
            prefix[b + 1] = prefix[b] + ending - price * instanceMs;
            reaching -= ending;
        }
        // Best span [start bin, end bin]. One from 0 lasts at least the fixed keep-alive: an instance of a function
        // that runs more than one at a time is reused sooner than its function-level idle times say. A later one
        // (a pre-warm) starts at a bin's lower edge; the least prefix among allowed starts is kept in a monotone
        // queue as the end moves right.
        int[] queue = new int[bins];
        int head = 0;
        int tail = 0;
        double best = 0;
        int bestStart = -1;
        int bestEnd = -1;
        for (int end = 0; end < bins; end++) {
            double endMs = IdleHistogram.upper(end);
            boolean withinWindow = endMs <= maxWindowMs || IdleHistogram.lower(end) < fixedMs;
            if (endMs >= fixedMs && withinWindow && prefix[end + 1] > best) {
                best = prefix[end + 1];
                bestStart = 0;
                bestEnd = end;
            }
            if (IdleHistogram.lower(end) >= MIN_PREWARM_MS) {
                while (tail > head && prefix[queue[tail - 1]] >= prefix[end]) {
                    tail--;
                }
                queue[tail++] = end;
            }
            while (head < tail && endMs - IdleHistogram.lower(queue[head]) > maxWindowMs) {
                head++;
            }
            if (head < tail && prefix[end + 1] - prefix[queue[head]] > best) {
                best = prefix[end + 1] - prefix[queue[head]];
                bestStart = queue[head];
                bestEnd = end;
            }
        }
        if (bestStart < 0) {
            return null;
        }
        return new Window(IdleHistogram.lower(bestStart), IdleHistogram.upper(bestEnd));
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

    /** How long an instance of a function of {@code memoryMib} that just became idle stays warm. */
    public double keepAliveMs(IdleHistogram h, double memoryMib) {
        return plan(h, memoryMib).keepAliveMs();
    }

    /** When the last instance of a function of {@code memoryMib} is gone: the window to pre-warm one in, or null. */
    public Window prewarm(IdleHistogram h, double memoryMib) {
        return plan(h, memoryMib).prewarm();
    }

    private double percentileKeepAliveMs(IdleHistogram h) {
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

    private Window percentilePrewarm(IdleHistogram h) {
        Window window = window(h);
        return window == null || window.startMs() <= fixedMs ? null : window;
    }
}
