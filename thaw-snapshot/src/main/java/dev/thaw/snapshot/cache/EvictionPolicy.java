package dev.thaw.snapshot.cache;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which unpinned entries a {@link NodeCache} evicts first when it needs room: the one of lowest priority, ties going
 * to the least recently used. Called under the cache's lock. {@code thaw sim} compares these policies on traces
 * (docs/policies.md); LRU is the default.
 */
public interface EvictionPolicy {
    List<String> NAMES = List.of("lru", "lfu", "gdsf");

    String name();

    /** An entry was used: a hit, a new fill, or an entry found on disk when the cache opened. */
    void used(String key, long bytes);

    /** An entry left the cache; {@code evicted} when the cache made room with it (its priority was lowest). */
    void removed(String key, long bytes, boolean evicted);

    /** Lower goes first. */
    double priority(String key, long bytes);

    /** {@code lru}, {@code lfu} or {@code gdsf}; anything else is an error listing them. */
    static EvictionPolicy parse(String name) {
        String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "lru" -> new Lru();
            case "lfu" -> new Lfu();
            case "gdsf" -> new Gdsf(185.2, 0.161 / (41.1 / 0.3526) * 1000);
            default -> throw new IllegalArgumentException("unknown cache eviction policy '" + name + "': known are "
                    + String.join(", ", NAMES));
        };
    }

    /** Least recently used: every entry has the same priority, so recency alone decides. */
    final class Lru implements EvictionPolicy {
        @Override
        public String name() {
            return "lru";
        }

        @Override
        public void used(String key, long bytes) {
        }

        @Override
        public void removed(String key, long bytes, boolean evicted) {
        }

        @Override
        public double priority(String key, long bytes) {
            return 0;
        }
    }

    /** Least frequently used since the entry came in, ties by recency. */
    final class Lfu implements EvictionPolicy {
        private final Map<String, Long> uses = new HashMap<>();

        @Override
        public String name() {
            return "lfu";
        }

        @Override
        public void used(String key, long bytes) {
            uses.merge(key, 1L, Long::sum);
        }

        @Override
        public void removed(String key, long bytes, boolean evicted) {
            uses.remove(key);
        }

        @Override
        public double priority(String key, long bytes) {
            return uses.getOrDefault(key, 0L);
        }
    }

    /**
     * Greedy-Dual-Size-Frequency: {@code L + uses x fetch cost / MiB}, the fetch cost being {@code fixedMs} plus
     * {@code msPerMib} per MiB of the entry; L rises to each evicted entry's priority, so unused entries age out.
     */
    final class Gdsf implements EvictionPolicy {
        private final double fixedMs;
        private final double msPerMib;
        private final Map<String, Double> value = new HashMap<>();
        private double inflation;

        Gdsf(double fixedMs, double msPerMib) {
            this.fixedMs = fixedMs;
            this.msPerMib = msPerMib;
        }

        @Override
        public String name() {
            return "gdsf";
        }

        @Override
        public void used(String key, long bytes) {
            double mib = Math.max(1, bytes / 1048576.0);
            double perUse = (fixedMs + msPerMib * mib) / mib;
            // Each use adds one more fetch saved, on top of the inflation reached by now.
            value.merge(key, inflation + perUse, (old, fresh) -> Math.max(old, inflation) + perUse);
        }

        @Override
        public void removed(String key, long bytes, boolean evicted) {
            Double priority = value.remove(key);
            if (evicted && priority != null) {
                inflation = Math.max(inflation, priority);
            }
        }

        @Override
        public double priority(String key, long bytes) {
            return value.getOrDefault(key, inflation);
        }
    }
}
