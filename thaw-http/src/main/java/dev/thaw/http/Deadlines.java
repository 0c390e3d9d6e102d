package dev.thaw.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The deadlines of calls and requests in flight, fired by one daemon thread. Almost every deadline
 * is cancelled long before it passes, and a call's deadline lies after those already waiting, so
 * adding or cancelling one wakes nobody: the thread sleeps until the earliest deadline it saw, looks
 * again then, and is woken only for a deadline earlier than that. (A scheduled executor wakes its
 * thread for every task that becomes the head of its queue, a thread switch per call.)
 */
final class Deadlines {
    /** A deadline; its action runs once on the timer thread unless it was cancelled first. */
    static final class Deadline {
        private final Deadlines owner;
        private final long at;
        private final Runnable action;

        private Deadline(Deadlines owner, long at, Runnable action) {
            this.owner = owner;
            this.at = at;
            this.action = action;
        }

        /** Whether this call stopped it before it fired. */
        boolean cancel() {
            return owner.pending.remove(this);
        }
    }

    private final LongSupplier nanoTime;
    private final Set<Deadline> pending = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    /** When the timer thread looks next, valid unless {@link #looking} or {@link #idle}. */
    private volatile long wakeAt;
    private volatile boolean looking = true;
    private volatile boolean idle;

    Deadlines(String name, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Runs {@code action} on the timer thread after {@code nanos} unless cancelled first. */
    Deadline after(long nanos, Runnable action) {
        Deadline deadline = new Deadline(this, nanoTime.getAsLong() + Math.max(1, nanos), action);
        pending.add(deadline);
        if (looking || idle || deadline.at - wakeAt < 0) {
            LockSupport.unpark(thread);
        }
        return deadline;
    }

    private void run() {
        while (true) {
            looking = true;
            long now = nanoTime.getAsLong();
            long next = 0;
            boolean any = false;
            for (Deadline deadline : pending) {
                if (deadline.at - now <= 0) {
                    if (pending.remove(deadline)) {
                        fire(deadline);
                    }
                } else if (!any || deadline.at - next < 0) {
                    next = deadline.at;
                    any = true;
                }
            }
            wakeAt = next;
            idle = !any;
            looking = false;
            if (any) {
                LockSupport.parkNanos(next - now);
            } else {
                LockSupport.park();
            }
        }
    }

    private static void fire(Deadline deadline) {
        try {
            deadline.action.run();
        } catch (RuntimeException e) {
            System.getLogger(Deadlines.class.getName()).log(System.Logger.Level.WARNING, "a deadline failed", e);
        }
    }
}
