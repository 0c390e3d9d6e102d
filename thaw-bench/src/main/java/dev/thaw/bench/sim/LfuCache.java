package dev.thaw.bench.sim;

/** Least frequently used, ties broken by recency; frequencies count every access since the start. */
final class LfuCache extends PriorityCache {
    LfuCache(int keys, long budget) {
        super("lfu", keys, budget);
    }

    @Override
    double priorityOf(int key, long size, double missCostMs) {
        return frequency[key];
    }
}
