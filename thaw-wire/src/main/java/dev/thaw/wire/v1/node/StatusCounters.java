package dev.thaw.wire.v1.node;

import java.util.Map;

/**
 * A node's counters since it started, as its status reports them.
 *
 * @param starts instances started, by tier label ({@code clone}, {@code local}, {@code remote}, {@code boot})
 * @param verifyFailures snapshots refused by signature check, by reason
 */
public record StatusCounters(Map<String, Long> starts, long corruptSnapshots, long incompatibleSnapshots,
        long restoreFailures, long storeErrors, long cacheRejections, long published, long publishFailures,
        Map<String, Long> verifyFailures) {

    public StatusCounters {
        starts = Map.copyOf(starts);
        verifyFailures = verifyFailures == null ? Map.of() : Map.copyOf(verifyFailures);
    }
}
