package dev.thaw.k8s.sync;

import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PresentRevision;
import java.util.List;

/**
 * A node's cache contents and capacity at one moment, as a {@link NodeCacheSync} advertises them.
 *
 * @param entries every committed cache entry, snapshots and images
 * @param present how much of each revision's snapshot the node holds, for those it holds any of; null
 *     when the node does not say, and its snapshot entries are whole snapshots
 */
public record CacheSnapshot(List<CachedEntry> entries, long budgetBytes, long usedBytes, long memoryMibFree,
        long memoryMibTotal, int slotsFree, int slotsTotal, List<PresentRevision> present) {

    public CacheSnapshot {
        entries = List.copyOf(entries);
        present = present == null ? null : List.copyOf(present);
    }

    /** A node whose snapshot entries are whole snapshots. */
    public CacheSnapshot(List<CachedEntry> entries, long budgetBytes, long usedBytes, long memoryMibFree,
            long memoryMibTotal, int slotsFree, int slotsTotal) {
        this(entries, budgetBytes, usedBytes, memoryMibFree, memoryMibTotal, slotsFree, slotsTotal, null);
    }

    /** What a node reports on {@code /v1/status}; a node without a cache has budget and use 0. */
    public static CacheSnapshot of(NodeStatus status) {
        long budget = status.cache() == null ? 0 : status.cache().budgetBytes();
        long used = status.cache() == null ? 0 : status.cache().bytesAgainstBudget();
        return new CacheSnapshot(status.cached(), budget, used, status.memoryMibFree(), status.memoryMibTotal(),
                status.slotsFree(), status.slotsTotal(), status.present());
    }
}
