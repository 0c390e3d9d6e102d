package dev.thaw.node;

import dev.thaw.snapshot.cache.CacheEntry;
import dev.thaw.snapshot.cache.CacheStats;
import dev.thaw.snapshot.cache.DiskBudget;
import java.util.List;
import java.util.Map;

/**
 * A node's state: its cache and what happened so far.
 *
 * @param disk the disk budget its snapshot and image cache and its chunk cache share, and what each holds;
 *     null when the node keeps no snapshots (a budget of 0)
 */
public record NodeStats(String node, SnapshotMode mode, CacheStats cache, List<CacheEntry> cached, Counters counters,
        DiskBudget.Usage disk) {

    /**
     * @param starts instances started, by tier label
     * @param corruptSnapshots snapshots found corrupt (in the store or the cache) and discarded
     * @param incompatibleSnapshots snapshots that could not restore here (another VMM version, kernel or image)
     * @param restoreFailures restores that failed although the snapshot fits (the snapshot is kept)
     * @param storeErrors times the remote store could not be reached or refused
     * @param cacheRejections snapshots or images the cache could not take (budget too small, all pinned)
     * @param published snapshots published to the store
     * @param publishFailures publications that failed
     * @param verifyFailures snapshots and images from the store refused because they failed
     *     authentication (unsigned, bad signature, untrusted signer, wrong subject, content, image digest), by reason
     */
    public record Counters(Map<String, Long> starts, long corruptSnapshots, long incompatibleSnapshots,
            long restoreFailures, long storeErrors, long cacheRejections, long published, long publishFailures,
            Map<String, Long> verifyFailures) {
        public Counters {
            starts = Map.copyOf(starts);
            verifyFailures = verifyFailures == null ? Map.of() : Map.copyOf(verifyFailures);
        }
    }
}
