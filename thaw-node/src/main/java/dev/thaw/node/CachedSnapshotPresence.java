package dev.thaw.node;

import dev.thaw.snapshot.cache.CacheEvent;
import dev.thaw.wire.v1.node.CacheKeys;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Presence from a cache of whole snapshots: a revision whose snapshot entry is cached is all here (its
 * entry's bytes, present and total), any other is absent. Follows the cache through its events, so a
 * lookup costs a map read; register it with {@code NodeCache.addListener}, which first replays the
 * entries cached now.
 */
final class CachedSnapshotPresence implements RevisionPresence, Consumer<CacheEvent> {
    private final Map<String, Long> snapshots = new ConcurrentHashMap<>();

    @Override
    public void accept(CacheEvent event) {
        if (CacheKeys.revision(event.key()).isEmpty()) {
            return;
        }
        switch (event.kind()) {
            case ADDED -> snapshots.put(event.key(), Math.max(1, event.bytes()));
            case REMOVED -> snapshots.remove(event.key());
        }
    }

    @Override
    public long presentBytes(String function, String revision) {
        return snapshots.getOrDefault(CacheKeys.snapshot(function, revision), 0L);
    }

    @Override
    public long totalBytes(String function, String revision) {
        return presentBytes(function, revision);
    }
}
