package dev.thaw.k8s.sync;

import dev.thaw.k8s.crd.CachedRevision;
import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import dev.thaw.wire.v1.node.CacheKeys;
import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.PresentRevision;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a node's {@link CacheSnapshot} into the status it advertises. */
final class StatusBuilder {
    /** Most recently used first; revisions never started from after those, then by name. */
    private static final Comparator<CachedRevision> ORDER = Comparator
            .comparing((CachedRevision r) -> r.lastUse() == null ? null : Instant.parse(r.lastUse()),
                    Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(r -> r.function() + "/" + r.revision());

    private final int maxRevisions;

    StatusBuilder(int maxRevisions) {
        if (maxRevisions < 1 || maxRevisions > NodeSnapshotCacheStatus.MAX_REVISIONS) {
            throw new IllegalArgumentException("revisions listed per node must be 1 to "
                    + NodeSnapshotCacheStatus.MAX_REVISIONS + " (the CRD's maxItems), got " + maxRevisions);
        }
        this.maxRevisions = maxRevisions;
    }

    NodeSnapshotCacheStatus build(CacheSnapshot snapshot, Instant now) {
        List<CachedRevision> revisions = snapshot.present() == null ? whole(snapshot.entries())
                : present(snapshot.present(), snapshot.entries());
        List<CachedRevision> listed = revisions.stream().sorted(ORDER).limit(maxRevisions).toList();
        return new NodeSnapshotCacheStatus(snapshot.budgetBytes(), snapshot.usedBytes(), snapshot.memoryMibFree(),
                snapshot.memoryMibTotal(), snapshot.slotsFree(), snapshot.slotsTotal(), timestamp(now),
                revisions.size(), revisions.size() > maxRevisions, listed);
    }

    static String timestamp(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** A node that does not report presence: each snapshot entry is a whole snapshot. */
    private static List<CachedRevision> whole(List<CachedEntry> entries) {
        return entries.stream().filter(e -> CacheKeys.revision(e.key()).isPresent()).map(e -> {
            String[] parts = CacheKeys.revision(e.key()).orElseThrow();
            return new CachedRevision(parts[0], parts[1], e.bytes(), timestamp(e.lastUse()));
        }).toList();
    }

    /** Every revision the node holds any of, with the last use of its cache entry where it has one. */
    private static List<CachedRevision> present(List<PresentRevision> present, List<CachedEntry> entries) {
        Map<String, Instant> lastUse = new HashMap<>();
        entries.forEach(e -> lastUse.put(e.key(), e.lastUse()));
        Map<String, CachedRevision> revisions = new LinkedHashMap<>();
        for (PresentRevision p : present) {
            Instant used = lastUse.get(CacheKeys.snapshot(p.function(), p.revision()));
            revisions.putIfAbsent(p.function() + "/" + p.revision(), new CachedRevision(p.function(), p.revision(),
                    p.presentBytes(), used == null ? null : timestamp(used), p.totalBytes()));
        }
        return List.copyOf(revisions.values());
    }
}
