package dev.thaw.bench.sim;

/**
 * Belady's clairvoyant policy: evict the entry whose next use is furthest away, and do not admit an entry used later
 * than every resident one. It needs the access sequence beforehand, so it only runs in replays. With entries of
 * different sizes this is the usual Belady bound (furthest next use), not a proven optimum: that problem is NP-hard.
 */
final class BeladyCache extends PriorityCache {
    private final int[] sequence;
    private final int[] next;
    private int position;

    BeladyCache(int keys, long budget, int[] sequence) {
        super("belady", keys, budget);
        this.sequence = sequence;
        next = new int[sequence.length];
        int[] last = new int[keys];
        java.util.Arrays.fill(last, Integer.MAX_VALUE);
        for (int i = sequence.length - 1; i >= 0; i--) {
            next[i] = last[sequence[i]];
            last[sequence[i]] = i;
        }
    }

    @Override
    public boolean record(int key, long size, double missCostMs) {
        if (position >= sequence.length || sequence[position] != key) {
            throw new IllegalStateException("belady replays exactly the sequence it was given");
        }
        boolean hit = super.record(key, size, missCostMs);
        position++;
        return hit;
    }

    @Override
    public boolean prefetch(int key, long size, double missCostMs) {
        throw new UnsupportedOperationException("belady runs only in replays");
    }

    @Override
    double priorityOf(int key, long size, double missCostMs) {
        // Lowest priority goes first: the furthest next use.
        return -(double) next[position];
    }

    @Override
    boolean evictsFirst(int victim, double incoming) {
        return priority[victim] < incoming;
    }
}
