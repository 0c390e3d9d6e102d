package dev.thaw.control.deploy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/** One lock per function name, dropped when no one holds or waits for it. */
final class FunctionLocks {
    private record Entry(ReentrantLock lock, int[] users) {
    }

    private final Map<String, Entry> locks = new HashMap<>();

    /** A held lock; closing it unlocks. */
    final class Held implements AutoCloseable {
        private final String name;
        private final Entry entry;

        private Held(String name, Entry entry) {
            this.name = name;
            this.entry = entry;
        }

        @Override
        public void close() {
            entry.lock().unlock();
            release(name, entry);
        }
    }

    Held lock(String name) throws InterruptedException {
        Entry entry;
        synchronized (locks) {
            entry = locks.computeIfAbsent(name, n -> new Entry(new ReentrantLock(), new int[1]));
            entry.users()[0]++;
        }
        try {
            entry.lock().lockInterruptibly();
        } catch (InterruptedException e) {
            release(name, entry);
            throw e;
        }
        return new Held(name, entry);
    }

    private void release(String name, Entry entry) {
        synchronized (locks) {
            if (--entry.users()[0] == 0) {
                locks.remove(name);
            }
        }
    }
}
