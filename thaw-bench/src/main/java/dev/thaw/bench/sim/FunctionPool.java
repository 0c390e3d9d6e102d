package dev.thaw.bench.sim;

import java.util.Arrays;

/**
 * The live instances of one function: those still busy (or starting) in a min-heap by the time they are free, and
 * idle ones in the order they became idle, so the most recently used is reused first and the oldest expire.
 */
final class FunctionPool {
    private int[] busy = new int[4];
    private int busySize;
    private int[] idle = new int[4];
    private int idleSize;

    int size() {
        return busySize + idleSize;
    }

    /** Instances busy (or starting); call {@link #settle} first. */
    int busy() {
        return busySize;
    }

    /** Moves instances free by {@code now} from busy to idle, in the order they became free. */
    void settle(double now, double[] freeAt) {
        while (busySize > 0 && freeAt[busy[0]] <= now) {
            int id = busy[0];
            removeBusyAt(0, freeAt);
            if (idleSize == idle.length) {
                idle = Arrays.copyOf(idle, idleSize * 2);
            }
            idle[idleSize++] = id;
        }
    }

    /** The most recently idle instance, taken out of the pool; -1 when none is idle. */
    int takeIdle() {
        return idleSize == 0 ? -1 : idle[--idleSize];
    }

    void addBusy(int id, double[] freeAt) {
        if (busySize == busy.length) {
            busy = Arrays.copyOf(busy, busySize * 2);
        }
        int i = busySize++;
        double at = freeAt[id];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (freeAt[busy[parent]] <= at) {
                break;
            }
            busy[i] = busy[parent];
            i = parent;
        }
        busy[i] = id;
    }

    /** Removes {@code id} wherever it is; call {@link #settle} first. */
    void remove(int id, double[] freeAt) {
        for (int i = 0; i < idleSize; i++) {
            if (idle[i] == id) {
                System.arraycopy(idle, i + 1, idle, i, idleSize - i - 1);
                idleSize--;
                return;
            }
        }
        for (int i = 0; i < busySize; i++) {
            if (busy[i] == id) {
                removeBusyAt(i, freeAt);
                return;
            }
        }
        throw new IllegalStateException("instance " + id + " is not in its pool");
    }

    private void removeBusyAt(int index, double[] freeAt) {
        int last = busy[--busySize];
        if (index == busySize) {
            return;
        }
        // Put the last element at index, then restore the heap both ways.
        int i = index;
        double at = freeAt[last];
        while (i > 0 && freeAt[busy[(i - 1) >>> 1]] > at) {
            busy[i] = busy[(i - 1) >>> 1];
            i = (i - 1) >>> 1;
        }
        while (true) {
            int child = 2 * i + 1;
            if (child >= busySize) {
                break;
            }
            if (child + 1 < busySize && freeAt[busy[child + 1]] < freeAt[busy[child]]) {
                child++;
            }
            if (freeAt[busy[child]] >= at) {
                break;
            }
            busy[i] = busy[child];
            i = child;
        }
        busy[i] = last;
    }
}
