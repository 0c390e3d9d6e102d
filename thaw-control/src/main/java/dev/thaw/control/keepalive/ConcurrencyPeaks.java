package dev.thaw.control.keepalive;

/**
 * One function's recent peak concurrency: the most invocations running at once (counting the arriving one) in each
 * of the last few minutes. An idle instance of a function that scales out is worth keeping while the function has
 * no more instances than that peak: the next burst is likely to need them all; instances beyond it are surplus.
 */
public final class ConcurrencyPeaks {
    private static final long MINUTE_MS = 60_000;
    private final int[] peaks;
    private final long[] minutes;

    /** @param windowMinutes how many recent minutes the peak is taken over */
    public ConcurrencyPeaks(int windowMinutes) {
        if (windowMinutes < 1 || windowMinutes > 1440) {
            throw new IllegalArgumentException("window must be 1..1440 minutes, got " + windowMinutes);
        }
        peaks = new int[windowMinutes];
        minutes = new long[windowMinutes];
        java.util.Arrays.fill(minutes, -1);
    }

    /** An invocation arrived at {@code nowMs} with {@code running} invocations (itself included) running. */
    public void record(double nowMs, int running) {
        long minute = (long) Math.floor(nowMs / MINUTE_MS);
        int slot = (int) Math.floorMod(minute, (long) peaks.length);
        if (minutes[slot] != minute) {
            minutes[slot] = minute;
            peaks[slot] = 0;
        }
        peaks[slot] = Math.max(peaks[slot], running);
    }

    /** The peak over the window ending at {@code nowMs}; 0 when nothing arrived in it. */
    public int peak(double nowMs) {
        long minute = (long) Math.floor(nowMs / MINUTE_MS);
        int peak = 0;
        for (int i = 0; i < peaks.length; i++) {
            if (minutes[i] > minute - peaks.length && minutes[i] <= minute) {
                peak = Math.max(peak, peaks[i]);
            }
        }
        return peak;
    }
}
