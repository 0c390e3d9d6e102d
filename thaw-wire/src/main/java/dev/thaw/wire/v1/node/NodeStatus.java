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
 * @param present how much of each revision's snapshot the node holds, for every revision it holds any of;
 *     null from nodes that do not report it, whose {@code cached} snapshot entries are whole snapshots
 */
public record NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
        int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
        StatusCounters counters, Instant at, ProcessStats process, ConfinementReport confinement,
        String signingKey, List<PresentRevision> present) {

    public NodeStatus {
        instances = List.copyOf(instances);
        cached = List.copyOf(cached);
        present = present == null ? null : List.copyOf(present);
    }

    /** A status without presence: its cached snapshots are whole, any other revision absent. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at, ProcessStats process, ConfinementReport confinement,
            String signingKey) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, process, confinement, signingKey, null);
    }

    /** A status without the node's signing key. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at, ProcessStats process, ConfinementReport confinement) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, process, confinement, null, null);
    }

    /** A status without the VMMs' confinement. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at, ProcessStats process) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, process, null, null, null);
    }

    /** A status without the process's footprint. */
    public NodeStatus(String node, String url, String mode, long memoryMibTotal, long memoryMibFree,
            int slotsTotal, int slotsFree, List<InstanceView> instances, CacheUsage cache, List<CachedEntry> cached,
            StatusCounters counters, Instant at) {
        this(node, url, mode, memoryMibTotal, memoryMibFree, slotsTotal, slotsFree, instances, cache, cached,
                counters, at, null, null, null, null);
    }

    /** Whether this node holds the whole of the revision's snapshot. */
    public boolean caches(String function, String revision) {
        return presentFraction(function, revision) >= 1.0;
    }

    /**
     * The share of the revision's snapshot on this node, 0..1: from {@code present} when the node reports it
     * (a revision it does not list is absent), else 1 for a snapshot in {@code cached} and 0 otherwise.
     */
    public double presentFraction(String function, String revision) {
        if (present != null) {
            double fraction = 0;
            for (PresentRevision p : present) {
                if (p.function().equals(function) && p.revision().equals(revision)) {
                    fraction = Math.max(fraction, p.fraction());
                }
            }
            return fraction;
        }
        String key = CacheKeys.snapshot(function, revision);
        return cached.stream().anyMatch(e -> e.key().equals(key)) ? 1.0 : 0.0;
    }
}
