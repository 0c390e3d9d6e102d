package dev.thaw.control.extender;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link CacheView} over a concurrent map, written by whoever learns of node states. */
public final class InMemoryCacheView implements CacheView {
    private final Map<String, NodeCacheState> nodes = new ConcurrentHashMap<>();

    @Override
    public Optional<NodeCacheState> node(String nodeName) {
        return Optional.ofNullable(nodes.get(nodeName));
    }

    public void put(String nodeName, NodeCacheState state) {
        nodes.put(nodeName, state);
    }

    public void remove(String nodeName) {
        nodes.remove(nodeName);
    }

    public int size() {
        return nodes.size();
    }

    /**
     * Approximate heap held by the states, with compressed references and compact
     * (Latin-1) strings: per node a map entry and a state record, per cached
     * revision a string key and its slot in an immutable set, per revision held in
     * part a string key, a boxed share and their slots in an immutable map.
     */
    public long approximateBytes() {
        long bytes = 0;
        for (var entry : nodes.entrySet()) {
            bytes += 32 + string(entry.getKey()) + 48 + 16;
            for (String key : entry.getValue().revisions()) {
                bytes += string(key) + 8; // Set.copyOf: an open-addressed array, about two slots per element
            }
            for (String key : entry.getValue().partial().keySet()) {
                bytes += string(key) + 16 + 16; // Map.copyOf: key and value slots, twice as many as entries
            }
        }
        return bytes;
    }

    private static long string(String s) {
        return 24 + align(16 + s.length());
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
