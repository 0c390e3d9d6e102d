package dev.thaw.wire.v1.node;

/**
 * A node's snapshot cache as its status reports it: counters since the cache was opened, and its present size.
 *
 * @param hits acquires and lookups served by a committed entry
 * @param misses acquires that found neither an entry nor a fill in progress
 * @param evictions entries dropped to make room
 * @param fills fills that committed
 * @param failedFills fills that failed and left nothing behind
 * @param coalesced acquires that waited for another caller's fill of the same key
 * @param bytesFetched bytes the fillers reported fetching from afar
 * @param bytesUsed bytes of committed entries still on disk
 * @param bytesReserved bytes set aside for fills in progress
 * @param budgetBytes the most {@code bytesUsed + bytesReserved} may reach
 * @param entries committed entries
 */
public record CacheUsage(long hits, long misses, long evictions, long fills, long failedFills, long coalesced,
        long bytesFetched, long bytesUsed, long bytesReserved, long budgetBytes, int entries) {
}
