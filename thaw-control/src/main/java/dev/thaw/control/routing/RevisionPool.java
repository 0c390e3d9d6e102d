package dev.thaw.control.routing;

import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.keepalive.HybridKeepAlive;
import dev.thaw.control.keepalive.IdleHistogram;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The instances of one revision and the requests waiting for them. Hands out
 * capacity in this order: a warm instance with a free concurrency slot, else the
 * right to start one (while under {@code maxInstances}), else a place in a bounded
 * FIFO queue, else 429. A queued request gets the next instance released, or is
 * told to try again when capacity appears another way (an instance removed, a
 * start failed).
 */
final class RevisionPool {
    /** What {@link #acquire} grants. */
    sealed interface Grant {
    }

    record Lease(Instance instance) implements Grant {
    }

    /** The caller may start an instance and must report {@link #started} or {@link #startFailed}. */
    record StartSlot() implements Grant {
    }

    /** The pool was drained or deleted: ask the router for the current one. */
    record Closed() implements Grant {
    }

    private record Retry() implements Grant {
    }

    private final DeploymentSpec spec;
    private final Object lock = new Object();
    private final List<Instance> instances = new ArrayList<>();
    private final ArrayDeque<CompletableFuture<Grant>> waiters = new ArrayDeque<>();
    private volatile FunctionSettings settings;
    private final KeepAlivePolicy keepAlive;
    /** Idle times of the revision (from its last execution's end to the next request); guarded by lock. */
    private final IdleHistogram idle = new IdleHistogram();
    private long lastEndNanos;
    private boolean everIdle;
    /** The idle period (by its start) a prefetch was asked for, so it is asked once. */
    private long prefetchedAfter = Long.MIN_VALUE;
    /** The idle period (by its start) an instance was pre-warmed for, so it is pre-warmed once. */
    private long prewarmedAfter = Long.MIN_VALUE;
    /** Until when the pre-warmed instance being started is kept unused (the end of its window). */
    private long prewarmUntilNanos;
    private int starting;
    private boolean closed;

    private final LongSupplier nanoClock;

    RevisionPool(DeploymentSpec spec, FunctionSettings settings) {
        this(spec, settings, KeepAlivePolicy.FIXED, System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds for keep-alive, idle times and prefetch timing */
    RevisionPool(DeploymentSpec spec, FunctionSettings settings, KeepAlivePolicy keepAlive, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.spec = spec;
        this.settings = settings;
        this.keepAlive = keepAlive;
    }

    /** The keep-alive the node is told, so it can stop the instance itself if no gateway does. */
    long keepAliveMs() {
        return keepAlive.longestKeepAliveMs(settings.keepAliveMs());
    }

    DeploymentSpec spec() {
        return spec;
    }

    String revision() {
        return spec.revision();
    }

    void settings(FunctionSettings newSettings) {
        settings = newSettings;
    }

    /**
     * Capacity for one request.
     *
     * @throws InvokeException 429 {@code queue_full}, or 503 {@code queue_timeout} after waiting {@code queueTimeoutMs}
     */
    Grant acquire() throws InvokeException, InterruptedException {
        long deadline = 0;
        boolean retried = false;
        while (true) {
            FunctionSettings s = settings;
            CompletableFuture<Grant> waiter = new CompletableFuture<>();
            synchronized (lock) {
                if (closed) {
                    return new Closed();
                }
                if (!retried) {
                    noteArrival(nanoClock.getAsLong());
                }
                Instance free = leastBusy(s);
                if (free != null) {
                    free.inFlight++;
                    return new Lease(free);
                }
                if (instances.size() + starting < s.maxInstances()) {
                    starting++;
                    return new StartSlot();
                }
                if (!retried && waiters.size() >= s.queueSize()) {
                    throw new InvokeException(429, "queue_full", spec.function() + " has all " + s.maxInstances()
                            + " instance(s) busy and " + waiters.size() + " request(s) queued (queueSize "
                            + s.queueSize() + "); retry later or deploy with a larger maxInstances or queueSize");
                }
                // A request woken to retry keeps its place at the head of the queue.
                if (retried) {
                    waiters.addFirst(waiter);
                } else {
                    waiters.addLast(waiter);
                }
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(s.queueTimeoutMs());
            }
            Grant grant;
            try {
                grant = waiter.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                synchronized (lock) {
                    if (!waiter.isDone()) {
                        waiters.remove(waiter);
                        throw new InvokeException(503, "queue_timeout", spec.function() + " waited "
                                + s.queueTimeoutMs() + " ms in the queue without an instance becoming free;"
                                + " retry later or deploy with a larger maxInstances or queueTimeoutMs");
                    }
                }
                grant = waiter.join();
            } catch (InterruptedException e) {
                synchronized (lock) {
                    waiters.remove(waiter);
                }
                // A lease handed over concurrently must go back.
                if (waiter.isDone() && waiter.join() instanceof Lease lease) {
                    release(lease.instance());
                }
                throw e;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            if (!(grant instanceof Retry)) {
                return grant;
            }
            retried = true;
        }
    }

    /** Records the idle time this request ends, or that it came while another ran. Under lock. */
    private void noteArrival(long nowNanos) {
        boolean busy = starting > 0 || instances.stream().anyMatch(i -> i.inFlight > 0);
        if (busy) {
            idle.overlap();
        } else if (everIdle) {
            idle.record(Math.max(0, nowNanos - lastEndNanos) / 1e6);
        }
    }

    private Instance leastBusy(FunctionSettings s) {
        Instance best = null;
        for (Instance i : instances) {
            if (!i.gone && i.inFlight < s.concurrency() && (best == null || i.inFlight < best.inFlight)) {
                best = i;
            }
        }
        return best;
    }

    /** A started instance joins the pool, already serving the request that started it. */
    void started(Instance instance) {
        synchronized (lock) {
            starting--;
            instance.inFlight = 1;
            instance.lastUsedNanos = nanoClock.getAsLong();
            instances.add(instance);
            handOver(instance);
        }
    }

    void startFailed() {
        synchronized (lock) {
            starting--;
            wakeOne();
        }
    }

    /**
     * A request is done with {@code instance}; returns true when the instance must now
     * be stopped (its pool was drained while it was busy).
     */
    boolean release(Instance instance) {
        synchronized (lock) {
            instance.inFlight--;
            instance.lastUsedNanos = nanoClock.getAsLong();
            // Used: a pre-warmed instance now follows the keep-alive policy like any other.
            instance.keepUntilNanos = Long.MIN_VALUE;
            if (instance.inFlight == 0) {
                lastEndNanos = instance.lastUsedNanos;
                everIdle = true;
            }
            if (instance.gone) {
                return false;
            }
            if (closed) {
                if (instance.inFlight == 0) {
                    instance.gone = true;
                    instances.remove(instance);
                    return true;
                }
                return false;
            }
            handOver(instance);
            return false;
        }
    }

    private void handOver(Instance instance) {
        while (instance.inFlight < settings.concurrency() && !waiters.isEmpty()) {
            instance.inFlight++;
            if (!waiters.pollFirst().complete(new Lease(instance))) {
                instance.inFlight--;
            }
        }
    }

    private void wakeOne() {
        CompletableFuture<Grant> first = waiters.pollFirst();
        if (first != null) {
            first.complete(new Retry());
        }
    }

    /** Forgets instances (their node died, or they are gone); waiting requests may start replacements. */
    void remove(List<Instance> gone) {
        synchronized (lock) {
            for (Instance instance : gone) {
                if (!instance.gone) {
                    instance.gone = true;
                    instances.remove(instance);
                    wakeOne();
                }
            }
        }
    }

    List<Instance> instancesOn(String node) {
        synchronized (lock) {
            return instances.stream().filter(i -> i.node.name().equals(node)).toList();
        }
    }

    /**
     * Whether to ask a node now to prefetch this revision's snapshot: once per idle period, with no instance left,
     * from {@link SnapshotPrefetch#LEAD_MS} before the earliest return the idle-time histogram predicts.
     */
    boolean prefetchDue(long nowNanos) {
        synchronized (lock) {
            if (closed || !instances.isEmpty() || starting > 0 || !everIdle || prefetchedAfter == lastEndNanos) {
                return false;
            }
            long keep = settings.keepAliveMs();
            double returnMs = KeepAlivePolicy.hybrid(keep).predictedReturnMs(idle);
            if (Double.isNaN(returnMs)) {
                return false;
            }
            long due = lastEndNanos + TimeUnit.MILLISECONDS.toNanos(Math.round(returnMs) - SnapshotPrefetch.LEAD_MS);
            if (nowNanos < due) {
                return false;
            }
            prefetchedAfter = lastEndNanos;
            return true;
        }
    }

    /**
     * Whether to pre-warm an instance now, under the hybrid keep-alive: once per idle period, with no instance left,
     * from {@link SnapshotPrefetch#LEAD_MS} before the start of the window the idle-time histogram predicts (when
     * that window starts after the fixed keep-alive) until its end. When true the caller holds a start slot and
     * must report {@link #prewarmed} or {@link #startFailed}.
     */
    boolean prewarmDue(long nowNanos) {
        synchronized (lock) {
            if (keepAlive != KeepAlivePolicy.HYBRID_HISTOGRAM || closed || !instances.isEmpty() || starting > 0
                    || !everIdle || prewarmedAfter == lastEndNanos) {
                return false;
            }
            long keep = settings.keepAliveMs();
            HybridKeepAlive.Window window = KeepAlivePolicy.hybrid(keep).prewarm(idle, spec.shape().memoryMib());
            if (window == null) {
                return false;
            }
            long due = lastEndNanos + TimeUnit.MILLISECONDS.toNanos(Math.round(window.startMs())
                    - SnapshotPrefetch.LEAD_MS);
            long end = lastEndNanos + TimeUnit.MILLISECONDS.toNanos(Math.round(window.endMs()));
            if (nowNanos < due) {
                return false;
            }
            prewarmedAfter = lastEndNanos;
            if (nowNanos >= end) {
                return false;
            }
            prewarmUntilNanos = end;
            starting++;
            return true;
        }
    }

    /**
     * A pre-warmed instance joins the pool idle, kept until its window ends unless used first; returns false when
     * the pool was closed meanwhile and the instance must be stopped.
     */
    boolean prewarmed(Instance instance) {
        synchronized (lock) {
            starting--;
            if (closed) {
                instance.gone = true;
                return false;
            }
            instance.inFlight = 0;
            instance.lastUsedNanos = nanoClock.getAsLong();
            instance.keepUntilNanos = prewarmUntilNanos;
            instances.add(instance);
            handOver(instance);
            return true;
        }
    }

    /** Removes and returns the instances idle for longer than the keep-alive policy allows, to be stopped. */
    List<Instance> expire(long nowNanos) {
        List<Instance> expired = new ArrayList<>();
        synchronized (lock) {
            long keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAlive.keepAliveMs(settings.keepAliveMs(), idle,
                    spec.shape().memoryMib()));
            for (Iterator<Instance> it = instances.iterator(); it.hasNext();) {
                Instance i = it.next();
                if (i.inFlight == 0 && nowNanos - i.lastUsedNanos > keepAliveNanos && nowNanos >= i.keepUntilNanos) {
                    i.gone = true;
                    it.remove();
                    expired.add(i);
                }
            }
        }
        return expired;
    }

    /**
     * Closes the pool: waiting requests are sent to the router again, idle instances
     * are returned to be stopped, busy ones are stopped when released.
     */
    List<Instance> close() {
        List<Instance> idle = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            waiters.forEach(w -> w.complete(new Closed()));
            waiters.clear();
            for (Iterator<Instance> it = instances.iterator(); it.hasNext();) {
                Instance i = it.next();
                if (i.inFlight == 0) {
                    i.gone = true;
                    it.remove();
                    idle.add(i);
                }
            }
        }
        return idle;
    }

    int instanceCount() {
        synchronized (lock) {
            return instances.size();
        }
    }

    int queueLength() {
        synchronized (lock) {
            return waiters.size();
        }
    }
}
