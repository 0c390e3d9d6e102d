package dev.thaw.node.service;

import dev.thaw.node.NodeStats;
import dev.thaw.node.StartRecord;
import dev.thaw.sandbox.Confinement;
import dev.thaw.snapshot.cache.CacheEntry;
import dev.thaw.snapshot.cache.CacheStats;
import dev.thaw.snapshot.cache.DiskBudget;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.wire.v1.node.CacheUsage;
import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.ConfinementReport;
import dev.thaw.wire.v1.node.StartReport;
import dev.thaw.wire.v1.node.StatusCounters;
import java.util.List;

/**
 * The node's internal records as its API reports them. The wire has records of its own, so a renamed
 * field inside the node or its cache never changes the protocol silently.
 */
public final class WireViews {
    private WireViews() {
    }

    public static CacheUsage cache(CacheStats s) {
        return s == null ? null : new CacheUsage(s.hits(), s.misses(), s.evictions(), s.fills(), s.failedFills(),
                s.coalesced(), s.bytesFetched(), s.bytesUsed(), s.bytesReserved(), s.budgetBytes(), s.entries());
    }

    /**
     * The snapshot cache {@code s} with the disk budget it shares with the chunk cache ({@code disk}; null
     * where the node keeps no snapshots, then the cache's own figures stand alone).
     */
    public static CacheUsage cache(CacheStats s, DiskBudget.Usage disk) {
        if (s == null || disk == null) {
            return cache(s);
        }
        return new CacheUsage(s.hits(), s.misses(), s.evictions(), s.fills(), s.failedFills(), s.coalesced(),
                s.bytesFetched(), s.bytesUsed(), s.bytesReserved(), disk.budgetBytes(), s.entries(),
                disk.byCache().getOrDefault(ChunkCache.BUDGET_NAME, 0L), disk.usedBytes());
    }

    public static List<CachedEntry> cached(List<CacheEntry> entries) {
        return entries.stream().map(e -> new CachedEntry(e.key(), e.bytes(), e.lastUse(), e.pins())).toList();
    }

    public static StatusCounters counters(NodeStats.Counters c) {
        return c == null ? null : new StatusCounters(c.starts(), c.corruptSnapshots(), c.incompatibleSnapshots(),
                c.restoreFailures(), c.storeErrors(), c.cacheRejections(), c.published(), c.publishFailures(),
                c.verifyFailures());
    }

    public static ConfinementReport confinement(Confinement c) {
        return c == null ? null : new ConfinementReport(c.seccomp(), c.ownUser(), c.mountNamespace(), c.limits(),
                c.gaps());
    }

    /** As {@link #start(StartRecord)}, with {@code peerBytes} of its snapshot bytes read from other nodes. */
    public static StartReport start(StartRecord r, long peerBytes) {
        return r == null ? null : new StartReport(StartReport.Tier.valueOf(r.tier().name()), r.imageFetchMs(),
                r.imageBytes(), r.snapshotFetchMs(), r.snapshotBytes(), r.vmMs(), r.initMs(), r.snapshotMs(),
                r.readyMs(), r.fallbacks(), peerBytes);
    }

    public static StartReport start(StartRecord r) {
        return r == null ? null : new StartReport(StartReport.Tier.valueOf(r.tier().name()), r.imageFetchMs(),
                r.imageBytes(), r.snapshotFetchMs(), r.snapshotBytes(), r.vmMs(), r.initMs(), r.snapshotMs(),
                r.readyMs(), r.fallbacks());
    }
}
