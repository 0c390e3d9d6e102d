package dev.thaw.control.scheduling;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How cold starts are placed; one policy per cluster. */
public enum SchedulerPolicy {
    /** Prefer nodes whose cache holds the revision's snapshot, weighed against their load. */
    SNAPSHOT_AWARE,
    /** Least loaded node first, blind to snapshot caches (the baseline). */
    SPREAD,
    /** The node with the lowest predicted start latency: its tier there, the bytes to fetch, its load. */
    COST_AWARE;

    /** {@code snapshot-aware}, {@code spread} or {@code cost-aware}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code snapshot-aware}, {@code spread} or {@code cost-aware} (case-insensitive, '_' accepted for '-'). */
    public static SchedulerPolicy parse(String text) {
        String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (SchedulerPolicy policy : values()) {
            if (policy.label().equals(wanted)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown scheduler policy '" + text + "': use one of "
                + Arrays.stream(values()).map(SchedulerPolicy::label).collect(Collectors.joining(", ")));
    }
}
