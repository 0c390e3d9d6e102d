package dev.thaw.k8s.sync;

import dev.thaw.k8s.crd.CachedRevision;
import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import dev.thaw.wire.v1.node.CacheKeys;
import dev.thaw.wire.v1.node.CachedEntry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;

/** Turns a node's {@link CacheSnapshot} into the status it advertises. */
final class StatusBuilder {

    private final int maxRevisions;

    StatusBuilder(int maxRevisions) {
        if (maxRevisions < 1 || maxRevisions > NodeSnapshotCacheStatus.MAX_REVISIONS) {
            throw new IllegalArgumentException("revisions listed per node must be 1 to "
                    + NodeSnapshotCacheStatus.MAX_REVISIONS + " (the CRD's maxItems), got " + maxRevisions);
        }
        this.maxRevisions = maxRevisions;
    }

    NodeSnapshotCacheStatus build(CacheSnapshot snapshot, Instant now) {
        List<CachedEntry> snapshots = snapshot.entries().stream()
                .filter(e -> CacheKeys.revision(e.key()).isPresent())
                .sorted(Comparator.comparing(CachedEntry::lastUse).reversed().thenComparing(CachedEntry::key))
                .toList();
        List<CachedRevision> listed = snapshots.stream().limit(maxRevisions).map(StatusBuilder::revisionOf).toList();
        return new NodeSnapshotCacheStatus(snapshot.budgetBytes(), snapshot.usedBytes(), snapshot.memoryMibFree(),
                snapshot.memoryMibTotal(), snapshot.slotsFree(), snapshot.slotsTotal(), timestamp(now),
                snapshots.size(), snapshots.size() > maxRevisions, listed);
    }

    static String timestamp(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static CachedRevision revisionOf(CachedEntry entry) {
        String[] parts = CacheKeys.revision(entry.key()).orElseThrow();
        return new CachedRevision(parts[0], parts[1], entry.bytes(), timestamp(entry.lastUse()));
    }

}
