package dev.thaw.bench.sim;

/** Least recently used: Thaw's node cache today. */
final class LruCache extends PriorityCache {
    private long tick;

    LruCache(int keys, long budget) {
        super("lru", keys, budget);
    }

    @Override
    double priorityOf(int key, long size, double missCostMs) {
        return ++tick;
    }
}
