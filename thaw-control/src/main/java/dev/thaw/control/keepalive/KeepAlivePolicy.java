package dev.thaw.control.keepalive;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How long the gateway keeps idle instances; one policy per gateway, each function's keepAliveMs its base. */
public enum KeepAlivePolicy {
    /** Every idle instance stays the function's keepAliveMs (the default). */
    FIXED,
    /** {@link HybridKeepAlive}: from each revision's idle-time histogram, keepAliveMs until it knows. */
    HYBRID_HISTOGRAM;

    /** The widest pre-warm window the gateway holds memory for. */
    public static final long MAX_WINDOW_MS = 600_000;
    /**
     * The warm-instance memory x time, in GiB-seconds, that one avoided cold start is worth to the hybrid policy:
     * an instance is kept, or pre-warmed, only for idle times in which it avoids cold starts for less. Chosen with
     * {@code thaw sim --cold-start-gib-s} on a synthesized day (docs/policies.md).
     */
    public static final double COLD_START_GIB_S = 14;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static KeepAlivePolicy parse(String text) {
        String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (KeepAlivePolicy policy : values()) {
            if (policy.label().equals(wanted)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown keep-alive policy '" + text + "': use one of "
                + Arrays.stream(values()).map(KeepAlivePolicy::label).collect(Collectors.joining(", ")));
    }

    /**
     * The hybrid policy for a function configured with {@code keepAliveMs}: instances of functions that scale out
     * stay twice keepAliveMs, no kept span or pre-warm window is wider than ten minutes, and a cold start is worth
     * {@link #COLD_START_GIB_S}.
     */
    public static HybridKeepAlive hybrid(long keepAliveMs) {
        return new HybridKeepAlive(keepAliveMs, 2.0 * keepAliveMs, MAX_WINDOW_MS, COLD_START_GIB_S);
    }

    /**
     * The keep-alive for an idle instance of a function of {@code memoryMib} configured with {@code keepAliveMs},
     * given its idle times.
     */
    public long keepAliveMs(long keepAliveMs, IdleHistogram idle, int memoryMib) {
        return switch (this) {
            case FIXED -> keepAliveMs;
            case HYBRID_HISTOGRAM -> Math.round(hybrid(keepAliveMs).keepAliveMs(idle, memoryMib));
        };
    }

    /**
     * The longest this policy keeps an idle instance of a function configured with {@code keepAliveMs}: what the
     * gateway tells the node, whose own reaper must not stop an instance the gateway still keeps. Under the hybrid
     * policy that is a scale-out instance's twice keepAliveMs, or a window of at most ten minutes that starts within
     * keepAliveMs, or a pre-warmed instance's window and the lead it is started by.
     */
    public long longestKeepAliveMs(long keepAliveMs) {
        return switch (this) {
            case FIXED -> keepAliveMs;
            case HYBRID_HISTOGRAM -> Math.max(2 * keepAliveMs, keepAliveMs + MAX_WINDOW_MS) + SnapshotPrefetch.LEAD_MS;
        };
    }
}
