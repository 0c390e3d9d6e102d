package dev.thaw.node;

import dev.thaw.snapshot.cache.CacheEntry;
import dev.thaw.snapshot.cache.CacheEvent;
import dev.thaw.snapshot.cache.NodeCache;
import dev.thaw.wire.v1.node.CacheKeys;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Presence from a cache of whole snapshots: a revision whose snapshot entry is cached is all here (its
 * entry's bytes, present and total), any other is absent. Sizes follow the cache through its events, so a
 * lookup costs a map read; whether the entry is there is asked of the cache itself, so a status never
 * lags behind its own list of cached entries while an event is still on its way.
 */
final class CachedSnapshotPresence implements RevisionPresence, Consumer<CacheEvent> {
    private final NodeCache cache;
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();

    private CachedSnapshotPresence(NodeCache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /** Presence over {@code cache}, following it from now on (its entries cached now first). */
    static CachedSnapshotPresence following(NodeCache cache) {
        CachedSnapshotPresence presence = new CachedSnapshotPresence(cache);
        cache.addListener(presence);
        return presence;
    }

    @Override
    public void accept(CacheEvent event) {
        if (CacheKeys.revision(event.key()).isEmpty()) {
            return;
        }
        switch (event.kind()) {
            case ADDED -> sizes.put(event.key(), Math.max(1, event.bytes()));
            case REMOVED -> sizes.remove(event.key());
        }
    }

    @Override
    public long presentBytes(String function, String revision) {
        String key = CacheKeys.snapshot(function, revision);
        if (!cache.contains(key)) {
            return 0;
        }
        Long bytes = sizes.get(key);
        if (bytes != null) {
            return bytes;
        }
        // Committed, its event not delivered yet: read its size from the listing.
        return cache.entries().stream().filter(e -> e.key().equals(key)).mapToLong(CacheEntry::bytes)
                .map(b -> Math.max(1, b)).findFirst().orElse(0);
    }

    @Override
    public long totalBytes(String function, String revision) {
        return presentBytes(function, revision);
    }
}
