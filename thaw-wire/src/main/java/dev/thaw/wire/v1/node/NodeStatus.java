package dev.thaw.wire.v1.node;

import java.time.Instant;
import java.util.List;

/**
 * What a node reports with every heartbeat and on {@code GET /v1/status}:
 * capacity left for the scheduler's filter, instances, and the snapshot cache
 * for its score.
 *
 * @param cache null when the node runs without a cache (budget 0)
 * @param process the node process's own footprint; null from nodes that do not report it
 * @param confinement how the node confines its VMMs and what it could not apply; null from nodes
 *     that do not report it
 * @param signingKey the public key the node signs its snapshots with (base64 X.509 Ed25519); what a
 *     gateway that discovers nodes instead of having them register learns it from; null from nodes
 *     that do not report it
 */
public record NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
        int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
        StatusCounters counters, Instant at, ProcessStats process, ConfinementReport confinement,
        String signingKey) {

    public NodeStatus {
        instances = List.copyOf(instances);
        cached = List.copyOf(cached);
    }

    /** A status without the node's signing key. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at, ProcessStats process, ConfinementReport confinement) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, process, confinement, null);
    }

    /** A status without the VMMs' confinement. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at, ProcessStats process) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, process, null, null);
    }

    /** A status without the process's footprint. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, null, null, null);
    }

    /** Whether this node's cache holds the revision's snapshot. */
    public boolean caches(String function, String revision) {
        String key = CacheKeys.snapshot(function, revision);
        return cached.stream().anyMatch(e -> e.key().equals(key));
    }
}
