package dev.thaw.snapshot.cache;

/**
 * Counters since the cache was opened, and its present size.
 *
 * @param hits acquires and lookups served by a committed entry
 * @param misses acquires that found neither an entry nor a fill in progress, including those then
 *     refused for lack of room; lookups that find nothing are not counted
 * @param evictions entries dropped to make room (or to fit a lowered budget on open)
 * @param fills fills that committed
 * @param failedFills fills that failed and left nothing behind
 * @param coalesced acquires that waited for another caller's fill of the same key instead of
 *     filling it again
 * @param bytesFetched bytes the fillers reported fetching from afar
 * @param bytesUsed bytes of committed entries still on disk, including removed entries whose
 *     files wait for their last lease to close
 * @param bytesReserved bytes set aside for fills in progress
 * @param budgetBytes the most {@code bytesUsed + bytesReserved} may reach
 * @param entries committed entries listed by the cache
 */
public record CacheStats(
        long hits,
        long misses,
        long evictions,
        long fills,
        long failedFills,
        long coalesced,
        long bytesFetched,
        long bytesUsed,
        long bytesReserved,
        long budgetBytes,
        int entries) {}
