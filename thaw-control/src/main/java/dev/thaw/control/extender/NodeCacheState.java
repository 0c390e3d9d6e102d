package dev.thaw.control.extender;

import dev.thaw.control.scheduling.NodeCandidate;
import java.util.Objects;
import java.util.Set;

/**
 * What one node reported about itself: the revisions its snapshot cache holds
 * (keys {@code function/revision}, see {@link RevisionOfPod#key}) and its free and
 * total capacity.
 */
public record NodeCacheState(Set<String> revisions, long memoryMibFree, long memoryMibTotal, int slotsFree,
        int slotsTotal) {

    public NodeCacheState {
        revisions = Set.copyOf(Objects.requireNonNull(revisions, "revisions"));
    }

    public boolean caches(String revisionKey) {
        return revisionKey != null && revisions.contains(revisionKey);
    }

    public NodeCandidate candidate(String nodeName, String revisionKey) {
        return new NodeCandidate(nodeName, memoryMibFree, memoryMibTotal, slotsFree, slotsTotal, caches(revisionKey));
    }

    /** The candidate for a node nobody has reported on: idle, and its cache holds nothing. */
    public static NodeCandidate unknown(String nodeName) {
        return new NodeCandidate(nodeName, 1, 1, 1, 1, false);
    }
}
