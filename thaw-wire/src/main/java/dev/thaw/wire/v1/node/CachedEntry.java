package dev.thaw.wire.v1.node;

import java.time.Instant;

/**
 * One committed entry of a node's cache, as its status lists it.
 *
 * @param key {@code snapshots/<function>/<revision>} or {@code images/<digest>} (see {@link CacheKeys})
 * @param pins open leases on it; a pinned entry is never evicted
 */
public record CachedEntry(String key, long bytes, Instant lastUse, int pins) {
}
