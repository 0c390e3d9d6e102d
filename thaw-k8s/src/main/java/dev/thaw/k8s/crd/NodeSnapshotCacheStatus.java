package dev.thaw.k8s.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a node agent last advertised about its node.
 *
 * @param budgetBytes the node's cache budget, for its snapshot, image and chunk caches together
 * @param usedBytes bytes those caches hold of it (snapshots, images and chunks)
 * @param memoryMibFree guest memory not given to instances, for a scheduler weighing load
 * @param memoryMibTotal guest memory the node may give to instances
 * @param slotsFree instances the node may still start
 * @param slotsTotal instances the node may run at once
 * @param updatedAt when the node agent wrote this, RFC 3339 in UTC
 * @param revisionCount snapshots the node holds all or part of, including any left out of {@code revisions}
 * @param truncated whether the node holds more snapshots than {@code revisions} lists (the least
 *     recently used are left out)
 * @param revisions snapshots the node holds all or part of, most recently used first (those never started
 *     from last); images are not listed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeSnapshotCacheStatus(long budgetBytes, long usedBytes, long memoryMibFree, long memoryMibTotal,
        int slotsFree, int slotsTotal, String updatedAt, int revisionCount, boolean truncated,
        List<CachedRevision> revisions) {

    /** The largest {@code revisions} the CRD accepts ({@code maxItems}); a node agent lists at most this many. */
    public static final int MAX_REVISIONS = 2000;

    public NodeSnapshotCacheStatus {
        revisions = revisions == null ? List.of() : List.copyOf(revisions);
    }

    /** This status as of another time; two statuses that differ only in time advertise the same. */
    public NodeSnapshotCacheStatus at(String updatedAt) {
        return new NodeSnapshotCacheStatus(budgetBytes, usedBytes, memoryMibFree, memoryMibTotal, slotsFree,
                slotsTotal, updatedAt, revisionCount, truncated, revisions);
    }
}
