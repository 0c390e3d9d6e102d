package dev.thaw.k8s.sync;

import dev.thaw.snapshot.cache.CacheEvent;
import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.PresentRevision;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A node's cache without a node: entries added and removed by the test, events as NodeCache sends them. */
final class FakeCacheSource implements CacheStateSource {
    private final Map<String, CachedEntry> entries = new ConcurrentHashMap<>();
    private final List<Consumer<CacheEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile long memoryMibFree = 3072;
    private volatile List<PresentRevision> present;

    FakeCacheSource add(String key, long bytes, Instant lastUse) {
        entries.put(key, new CachedEntry(key, bytes, lastUse, 0));
        listeners.forEach(l -> l.accept(new CacheEvent(CacheEvent.Kind.ADDED, key, bytes)));
        return this;
    }

    void remove(String key) {
        CachedEntry gone = entries.remove(key);
        listeners.forEach(l -> l.accept(new CacheEvent(CacheEvent.Kind.REMOVED, key, gone.bytes())));
    }

    void memoryMibFree(long mib) {
        memoryMibFree = mib;
    }

    /** What the node reports it holds of each revision (null: it does not say, as older nodes). */
    void present(List<PresentRevision> revisions) {
        present = revisions;
    }

    @Override
    public CacheSnapshot current() {
        long used = entries.values().stream().mapToLong(CachedEntry::bytes).sum();
        return new CacheSnapshot(List.copyOf(entries.values()), 1L << 30, used, memoryMibFree, 4096, 5, 8, present);
    }

    @Override
    public void subscribe(Consumer<CacheEvent> listener) {
        listeners.add(listener);
        entries.values().forEach(e -> listener.accept(new CacheEvent(CacheEvent.Kind.ADDED, e.key(), e.bytes())));
    }
}
