package dev.thaw.sandbox.qemu;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * VMM processes started ahead of time for one snapshot, each already listening
 * for device state. QEMU binds guest memory to a file when the process starts,
 * so a waiting VMM belongs to one snapshot's memory file; what it saves a
 * restore is the process start and QMP set-up (about 40 ms here).
 */
final class VmmPool implements AutoCloseable {
    private static final Logger LOG = System.getLogger(VmmPool.class.getName());

    /** Starts one VMM that listens for state; throws if it cannot. */
    interface Starter {
        Vmm start() throws IOException;
    }

    private final Starter starter;
    private final ConcurrentLinkedDeque<Vmm> waiting = new ConcurrentLinkedDeque<>();
    /** Threads starting a VMM right now: {@link #close()} waits for them, so none outlives the pool. */
    private final Set<Thread> starting = ConcurrentHashMap.newKeySet();
    private volatile int target;
    private volatile boolean closed;

    VmmPool(Starter starter, int target) {
        this.starter = starter;
        this.target = target;
        refill();
    }

    void resize(int newTarget) {
        target = newTarget;
        while (waiting.size() > newTarget) {
            Vmm extra = waiting.pollLast();
            if (extra != null) {
                extra.close();
            }
        }
        refill();
    }

    /** A waiting VMM that is still alive, or null; starts a replacement either way. */
    Vmm take() {
        try {
            Vmm vmm;
            while ((vmm = waiting.pollFirst()) != null) {
                if (vmm.isAlive()) {
                    return vmm;
                }
                vmm.close();
            }
            return null;
        } finally {
            refill();
        }
    }

    int size() {
        return waiting.size();
    }

    private synchronized void refill() {
        while (!closed && waiting.size() + starting.size() < target) {
            Thread thread = Thread.ofVirtual().name("vmm-pool-refill").unstarted(this::startOne);
            starting.add(thread);
            thread.start();
        }
    }

    private void startOne() {
        try {
            offer(starter.start());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "could not pre-start a VMM: " + e.getMessage());
            stopRefilling();
        } finally {
            starting.remove(Thread.currentThread());
        }
    }

    private synchronized void offer(Vmm vmm) {
        if (closed || waiting.size() >= target) { // the pool shrank while this VMM was starting
            vmm.close();
        } else {
            waiting.addLast(vmm);
        }
    }

    /** After a failed start the pool shrinks to what it holds instead of retrying in a tight loop. */
    private void stopRefilling() {
        target = Math.min(target, waiting.size());
    }

    /**
     * Stops every waiting VMM and waits for the ones being started (each is stopped as it comes
     * up), so that no VMM of this pool is running when this returns.
     */
    @Override
    public void close() {
        List<Thread> inFlight;
        synchronized (this) {
            closed = true;
            Vmm vmm;
            while ((vmm = waiting.pollFirst()) != null) {
                vmm.close();
            }
            inFlight = List.copyOf(starting);
        }
        boolean interrupted = false;
        for (Thread thread : inFlight) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
