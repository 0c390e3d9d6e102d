package dev.thaw.bench.load;

import java.util.concurrent.TimeUnit;

/**
 * The time a load run keeps: when arrivals are due, and how long calls took. {@link #SYSTEM} is the
 * machine's monotonic clock; tests give a pacer of their own so that a run needs no waiting.
 */
public interface Pacer {
    /** Monotonic nanoseconds; only differences mean anything. */
    long nanoTime();

    /** Returns once {@link #nanoTime()} has reached {@code due}. */
    void sleepUntil(long due) throws InterruptedException;

    Pacer SYSTEM = new Pacer() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long due) throws InterruptedException {
            long wait = due - System.nanoTime();
            while (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
                wait = due - System.nanoTime();
            }
        }
    };
}
