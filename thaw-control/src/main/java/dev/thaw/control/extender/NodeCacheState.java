package dev.thaw.control.extender;

import dev.thaw.control.scheduling.NodeCandidate;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one node reported about itself: the revisions whose whole snapshot it holds (keys
 * {@code function/revision}, see {@link RevisionOfPod#key}), the share it holds of those it has only part
 * of, and its free and total capacity.
 *
 * @param partial revision key to the share of its snapshot on the node, more than 0 and less than 1
 */
public record NodeCacheState(Set<String> revisions, Map<String, Double> partial, long memoryMibFree,
        long memoryMibTotal, int slotsFree, int slotsTotal) {

    public NodeCacheState {
        revisions = Set.copyOf(Objects.requireNonNull(revisions, "revisions"));
        partial = Map.copyOf(Objects.requireNonNull(partial, "partial"));
        partial.forEach((key, share) -> {
            if (!(share > 0 && share < 1)) {
                throw new IllegalArgumentException("the part of " + key + " on a node must be between 0 and 1, got "
                        + share);
            }
        });
    }

    /** A node that holds whole snapshots only. */
    public NodeCacheState(Set<String> revisions, long memoryMibFree, long memoryMibTotal, int slotsFree,
            int slotsTotal) {
        this(revisions, Map.of(), memoryMibFree, memoryMibTotal, slotsFree, slotsTotal);
    }

    public boolean caches(String revisionKey) {
        return revisionKey != null && revisions.contains(revisionKey);
    }

    /** The share of the revision's snapshot on the node, 0..1. */
    public double presentFraction(String revisionKey) {
        if (revisionKey == null) {
            return 0;
        }
        return revisions.contains(revisionKey) ? 1.0 : partial.getOrDefault(revisionKey, 0.0);
    }

    public NodeCandidate candidate(String nodeName, String revisionKey) {
        return new NodeCandidate(nodeName, memoryMibFree, memoryMibTotal, slotsFree, slotsTotal,
                presentFraction(revisionKey), NodeCandidate.UNKNOWN_BYTES);
    }

    /** The candidate for a node nobody has reported on: idle, and its cache holds nothing. */
    public static NodeCandidate unknown(String nodeName) {
        return new NodeCandidate(nodeName, 1, 1, 1, 1, false);
    }
}
