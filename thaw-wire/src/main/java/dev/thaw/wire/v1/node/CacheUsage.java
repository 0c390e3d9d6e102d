package dev.thaw.wire.v1.node;

/**
 * A node's snapshot cache as its status reports it: counters since the cache was opened, and its present size.
 * The node's chunk cache (lazily fetched snapshot and image chunks) shares the same byte budget.
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
 * @param budgetBytes the node's cache budget: the most its snapshot and image cache and its chunk cache may
 *     hold together
 * @param entries committed entries
 * @param chunkBytes bytes the chunk cache holds or has reserved; 0 where the node has none, null from nodes
 *     that do not report it
 * @param budgetBytesUsed bytes all the caches on the budget hold or have reserved together
 *     ({@code bytesUsed + bytesReserved + chunkBytes}), at most {@code budgetBytes}; null from nodes that do
 *     not report it
 */
public record CacheUsage(long hits, long misses, long evictions, long fills, long failedFills, long coalesced,
        long bytesFetched, long bytesUsed, long bytesReserved, long budgetBytes, int entries, Long chunkBytes,
        Long budgetBytesUsed) {

    /** A snapshot cache whose budget covers nothing else. */
    public CacheUsage(long hits, long misses, long evictions, long fills, long failedFills, long coalesced,
            long bytesFetched, long bytesUsed, long bytesReserved, long budgetBytes, int entries) {
        this(hits, misses, evictions, fills, failedFills, coalesced, bytesFetched, bytesUsed, bytesReserved,
                budgetBytes, entries, null, null);
    }

    /** Bytes the node holds of its budget: {@code budgetBytesUsed} where reported, else the snapshot cache's entries. */
    public long bytesAgainstBudget() {
        return budgetBytesUsed != null ? budgetBytesUsed : bytesUsed;
    }
}
