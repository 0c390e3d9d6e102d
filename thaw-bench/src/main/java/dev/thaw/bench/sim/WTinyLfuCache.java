package dev.thaw.bench.sim;

import java.util.LinkedHashSet;

/**
 * W-TinyLFU (Einziger, Friedman and Manes, 2017; Caffeine's policy) by bytes: new entries enter a small LRU window
 * (1 % of the budget); an entry leaving the window, or too big for it, enters the main segmented LRU only if it was
 * used more often than the main victim it would displace. Frequencies are halved every ten times as many accesses as
 * there are keys, so that old popularity fades. A node sees at most a few thousand functions, so exact counters take
 * the place of the count-min sketch.
 */
final class WTinyLfuCache implements CachePolicy {
    private final long windowBudget;
    private final long protectedBudget;
    private final long budget;
    private final int[] frequency;
    private final long[] bytes;
    private final byte[] segment;
    private final LinkedHashSet<Integer> window = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> probation = new LinkedHashSet<>();
    private final LinkedHashSet<Integer> protectedSegment = new LinkedHashSet<>();
    private final CacheStats stats = new CacheStats();
    private final int resetAfter;
    private long windowUsed;
    private long protectedUsed;
    private long used;
    private int accesses;

    private static final byte NONE = 0;
    private static final byte WINDOW = 1;
    private static final byte PROBATION = 2;
    private static final byte PROTECTED = 3;

    WTinyLfuCache(int keys, long budget) {
        this.budget = budget;
        windowBudget = budget / 100;
        protectedBudget = (budget - windowBudget) * 8 / 10;
        frequency = new int[keys];
        bytes = new long[keys];
        segment = new byte[keys];
        resetAfter = Math.max(100, 10 * keys);
    }

    @Override
    public String name() {
        return "w-tinylfu";
    }

    @Override
    public boolean contains(int key) {
        return segment[key] != NONE;
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
        count(key);
        switch (segment[key]) {
            case WINDOW -> {
                window.remove(key);
                window.add(key);
            }
            case PROBATION -> {
                // A second use promotes to the protected segment, demoting its LRU entries to probation.
                probation.remove(key);
                protectedSegment.add(key);
                segment[key] = PROTECTED;
                protectedUsed += bytes[key];
                while (protectedUsed > protectedBudget && protectedSegment.size() > 1) {
                    int demoted = protectedSegment.iterator().next();
                    protectedSegment.remove(demoted);
                    protectedUsed -= bytes[demoted];
                    probation.add(demoted);
                    segment[demoted] = PROBATION;
                }
            }
            case PROTECTED -> {
                protectedSegment.remove(key);
                protectedSegment.add(key);
            }
            default -> {
                stats.misses++;
                stats.missBytes += size;
                admit(key, size);
                return false;
            }
        }
        stats.hits++;
        stats.hitBytes += size;
        return true;
    }

    @Override
    public boolean prefetch(int key, long size, double missCostMs) {
        if (segment[key] == NONE) {
            admit(key, size);
        }
        return segment[key] != NONE;
    }

    private void count(int key) {
        frequency[key]++;
        if (++accesses >= resetAfter) {
            accesses = 0;
            for (int i = 0; i < frequency.length; i++) {
                frequency[i] >>= 1;
            }
        }
    }

    private void admit(int key, long size) {
        if (size > budget) {
            return;
        }
        bytes[key] = size;
        if (size <= windowBudget) {
            window.add(key);
            segment[key] = WINDOW;
            windowUsed += size;
            used += size;
            while (windowUsed > windowBudget) {
                int candidate = window.iterator().next();
                window.remove(candidate);
                windowUsed -= bytes[candidate];
                used -= bytes[candidate];
                segment[candidate] = NONE;
                enterMain(candidate);
            }
        } else {
            enterMain(key);
        }
    }

    /** TinyLFU admission: the candidate displaces main victims only while it is used more often than each. */
    private void enterMain(int candidate) {
        long size = bytes[candidate];
        while (used + size > budget) {
            LinkedHashSet<Integer> from = !probation.isEmpty() ? probation : protectedSegment;
            if (from.isEmpty()) {
                // Only the window is left; the candidate does not fit beside it.
                return;
            }
            int victim = from.iterator().next();
            if (frequency[candidate] <= frequency[victim]) {
                return;
            }
            from.remove(victim);
            if (segment[victim] == PROTECTED) {
                protectedUsed -= bytes[victim];
            }
            segment[victim] = NONE;
            used -= bytes[victim];
            stats.evictions++;
        }
        probation.add(candidate);
        segment[candidate] = PROBATION;
        used += size;
    }
}
