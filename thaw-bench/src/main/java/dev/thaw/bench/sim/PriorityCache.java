package dev.thaw.bench.sim;

import java.util.TreeSet;

/**
 * A byte-budgeted cache that evicts the entry of lowest priority; the subclasses say how an access sets the
 * priority (recency for LRU, frequency for LFU, GDSF's inflation plus frequency x cost / size, Belady's next use).
 */
abstract class PriorityCache implements CachePolicy {
    private final String name;
    private final long budget;
    final boolean[] cached;
    final long[] bytes;
    final double[] priority;
    final int[] frequency;
    private final long[] order;
    private final TreeSet<Integer> queue;
    private final CacheStats stats = new CacheStats();
    private long used;
    private long clock;

    PriorityCache(String name, int keys, long budget) {
        this.name = name;
        this.budget = budget;
        cached = new boolean[keys];
        bytes = new long[keys];
        priority = new double[keys];
        frequency = new int[keys];
        order = new long[keys];
        queue = new TreeSet<>((a, b) -> {
            int c = Double.compare(priority[a], priority[b]);
            return c != 0 ? c : Long.compare(order[a], order[b]);
        });
    }

    /** The priority of {@code key} after an access (its frequency already counts it). */
    abstract double priorityOf(int key, long size, double missCostMs);

    /** Told the priority of each evicted entry (GDSF inflates its clock by it). */
    void evicted(double evictedPriority) {
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean contains(int key) {
        return cached[key];
    }

    @Override
    public long usedBytes() {
        return used;
    }

    @Override
    public CacheStats stats() {
        return stats;
    }

    @Override
    public boolean record(int key, long size, double missCostMs) {
        frequency[key]++;
        if (cached[key]) {
            stats.hits++;
            stats.hitBytes += size;
            reprioritize(key, size, missCostMs);
            return true;
        }
        stats.misses++;
        stats.missBytes += size;
        admit(key, size, missCostMs);
        return false;
    }

    @Override
    public boolean prefetch(int key, long size, double missCostMs) {
        if (!cached[key]) {
            admit(key, size, missCostMs);
        }
        return cached[key];
    }

    private void reprioritize(int key, long size, double missCostMs) {
        queue.remove(key);
        priority[key] = priorityOf(key, size, missCostMs);
        order[key] = ++clock;
        queue.add(key);
    }

    private void admit(int key, long size, double missCostMs) {
        if (size > budget) {
            return;
        }
        double incoming = priorityOf(key, size, missCostMs);
        while (used + size > budget) {
            int victim = queue.first();
            if (!evictsFirst(victim, incoming)) {
                return;
            }
            queue.pollFirst();
            cached[victim] = false;
            used -= bytes[victim];
            stats.evictions++;
            evicted(priority[victim]);
        }
        cached[key] = true;
        bytes[key] = size;
        used += size;
        priority[key] = incoming;
        order[key] = ++clock;
        queue.add(key);
    }

    /** Whether the victim makes way for an entry of {@code incoming} priority; Belady keeps what is used sooner. */
    boolean evictsFirst(int victim, double incoming) {
        return true;
    }
}
