package dev.thaw.snapshot.cache;

import java.time.Instant;

/**
 * One committed entry as the cache lists it.
 *
 * @param pins open leases on it; a pinned entry is never evicted
 */
public record CacheEntry(String key, long bytes, Instant lastUse, int pins) {}
