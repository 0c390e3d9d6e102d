package dev.thaw.control.keepalive;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Whether the gateway asks a node to fetch a revision's snapshot into its cache before the revision's predicted
 * next invocation: once per idle period, when its last instance is gone, a few seconds before the earliest return
 * its idle-time histogram predicts (the 5th percentile), on the node the placement policy would pick.
 */
public enum SnapshotPrefetch {
    NONE,
    HISTOGRAM;

    /** How long before the predicted return the gateway asks: about a remote fetch of a large snapshot. */
    public static final long LEAD_MS = 5_000;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SnapshotPrefetch parse(String text) {
        String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        for (SnapshotPrefetch p : values()) {
            if (p.label().equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown prefetch policy '" + text + "': use one of "
                + Arrays.stream(values()).map(SnapshotPrefetch::label).collect(Collectors.joining(", ")));
    }
}
