package dev.thaw.bench.sim;

/**
 * Greedy-Dual-Size-Frequency (Cherkasova 1998): priority = L + frequency x fetch cost / size, where L rises to the
 * priority of each evicted entry so that entries not used for long age out. The cost is the time a miss adds (a
 * remote start's fetch), so a small snapshot that is slow to fetch for its size is kept before a big one.
 */
final class GdsfCache extends PriorityCache {
    private double inflation;

    GdsfCache(int keys, long budget) {
        super("gdsf", keys, budget);
    }

    @Override
    double priorityOf(int key, long size, double missCostMs) {
        return inflation + frequency[key] * Math.max(missCostMs, 1e-3) / Math.max(1, size / 1048576.0);
    }

    @Override
    void evicted(double evictedPriority) {
        inflation = Math.max(inflation, evictedPriority);
    }
}
