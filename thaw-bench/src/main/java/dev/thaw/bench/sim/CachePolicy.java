package dev.thaw.bench.sim;

/**
 * Eviction in one node's snapshot cache, on the model of Caffeine's simulator: the simulator reports each access
 * ({@link #record}) and the policy keeps its own statistics. Keys are function indexes {@code 0..functions-1}.
 */
public interface CachePolicy {
    String name();

    boolean contains(int key);

    /** One access; true on a hit. On a miss the policy admits the key if it wants it and it fits the budget. */
    boolean record(int key, long bytes, double missCostMs);

    /** Brings the key in without an access (a prefetch); true if it is cached afterwards. */
    boolean prefetch(int key, long bytes, double missCostMs);

    /** Bytes held now. */
    long usedBytes();

    CacheStats stats();

    /** Counts kept by every policy alike. */
    final class CacheStats {
        long hits;
        long misses;
        long hitBytes;
        long missBytes;
        long evictions;

        public long hits() {
            return hits;
        }

        public long misses() {
            return misses;
        }

        public long hitBytes() {
            return hitBytes;
        }

        public long missBytes() {
            return missBytes;
        }

        public long evictions() {
            return evictions;
        }

        public double byteMissRatio() {
            long total = hitBytes + missBytes;
            return total == 0 ? Double.NaN : (double) missBytes / total;
        }

        public double hitRatio() {
            long total = hits + misses;
            return total == 0 ? Double.NaN : (double) hits / total;
        }

        void add(CacheStats other) {
            hits += other.hits;
            misses += other.misses;
            hitBytes += other.hitBytes;
            missBytes += other.missBytes;
            evictions += other.evictions;
        }
    }
}
