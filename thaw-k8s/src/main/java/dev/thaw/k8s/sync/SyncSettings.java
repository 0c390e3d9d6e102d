package dev.thaw.k8s.sync;

import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import java.time.Duration;

/**
 * How a {@link NodeCacheSync} paces its writes.
 *
 * @param batchInterval the least time between two writes for added entries and capacity changes
 * @param removalDelay how long a removal waits to be written with others; removals skip the
 *     batch interval so an evicted snapshot stops being advertised at once
 * @param resyncInterval how often the object is read back and repaired if someone deleted or edited it
 * @param minBackoff the first wait after a failed write
 * @param maxBackoff the longest wait between attempts while the API server is unavailable
 * @param maxRevisions the most revisions one object lists
 */
public record SyncSettings(Duration batchInterval, Duration removalDelay, Duration resyncInterval,
        Duration minBackoff, Duration maxBackoff, int maxRevisions) {

    public static final SyncSettings DEFAULTS = new SyncSettings(Duration.ofMillis(500), Duration.ofMillis(20),
            Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(10), 500);

    public SyncSettings {
        requirePositive("batch interval", batchInterval);
        if (removalDelay.isNegative()) {
            throw new IllegalArgumentException("removal delay must not be negative, got " + removalDelay);
        }
        requirePositive("resync interval", resyncInterval);
        requirePositive("minimum backoff", minBackoff);
        if (maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("maximum backoff " + maxBackoff + " is below the minimum " + minBackoff);
        }
        if (maxRevisions < 1 || maxRevisions > NodeSnapshotCacheStatus.MAX_REVISIONS) {
            throw new IllegalArgumentException("revisions listed per node must be 1 to "
                    + NodeSnapshotCacheStatus.MAX_REVISIONS + ", got " + maxRevisions);
        }
    }

    public SyncSettings withBatchInterval(Duration interval) {
        return new SyncSettings(interval, removalDelay, resyncInterval, minBackoff, maxBackoff, maxRevisions);
    }

    public SyncSettings withResyncInterval(Duration interval) {
        return new SyncSettings(batchInterval, removalDelay, interval, minBackoff, maxBackoff, maxRevisions);
    }

    public SyncSettings withBackoff(Duration min, Duration max) {
        return new SyncSettings(batchInterval, removalDelay, resyncInterval, min, max, maxRevisions);
    }

    public SyncSettings withMaxRevisions(int max) {
        return new SyncSettings(batchInterval, removalDelay, resyncInterval, minBackoff, maxBackoff, max);
    }

    private static void requirePositive(String what, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
