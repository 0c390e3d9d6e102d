package dev.thaw.k8s.sync;

import dev.thaw.k8s.crd.CachedRevision;
import dev.thaw.k8s.crd.NodeSnapshotCache;
import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import dev.thaw.snapshot.cache.CacheEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * Keeps one node's {@link NodeSnapshotCache} object in step with its cache.
 *
 * <p>At start it creates the object, or adopts one left by an earlier run and
 * replaces everything it advertised. After that each cache change marks the
 * object dirty; added entries are written at most once per batch interval, so
 * a burst of fills costs a few writes, while removals are written within the
 * removal delay, so a scheduler stops sending work for an evicted snapshot
 * at once. Every resync interval the object is read back: one deleted is
 * recreated, one edited by someone else is overwritten, and capacity changes
 * that come without cache events are written. While the API server is
 * unavailable writes are retried with exponential backoff; it logs when
 * writing starts failing and when it works again, not every attempt.
 *
 * <p>All API calls run on the sync's own thread, which {@link #close()} stops.
 */
public final class NodeCacheSync implements AutoCloseable {
    private static final Logger LOG = System.getLogger(NodeCacheSync.class.getName());
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String nodeName;
    private final CacheStateSource source;
    private final SyncSettings settings;
    private final StatusBuilder statuses;
    private final NodeSnapshotCacheWriter writer;
    private final Thread thread;
    private final InstantSource clock;

    private final Object lock = new Object();
    // Guarded by lock: what the next pass must do, and when.
    private boolean closed;
    private boolean dirty;
    private boolean urgent;
    private long urgentSince;
    private boolean check = true;
    private long lastWriteAt;
    private long lastCheckAt;
    private int failures;
    private long retryAt;

    // Touched only by the sync's thread.
    private NodeSnapshotCacheStatus written;
    private boolean adopted;

    private NodeCacheSync(KubernetesClient client, String nodeName, CacheStateSource source, SyncSettings settings,
            InstantSource clock) {
        this.clock = clock;
        this.nodeName = nodeName;
        this.source = source;
        this.settings = settings;
        this.statuses = new StatusBuilder(settings.maxRevisions());
        this.writer = new NodeSnapshotCacheWriter(client, nodeName);
        long now = nanoTime();
        this.lastWriteAt = now - settings.batchInterval().toNanos();
        this.lastCheckAt = now;
        this.thread = Thread.ofPlatform().daemon().name("thaw-nsc-sync-" + nodeName).unstarted(this::run);
    }

    /**
     * Starts keeping {@code nodeName}'s object in step with {@code source}. Returns at
     * once; the object is created or adopted on the sync's thread, and an API server
     * that cannot be reached yet only delays it.
     *
     * @param client used by this sync until it is closed; the caller still owns it
     */
    public static NodeCacheSync start(KubernetesClient client, String nodeName, CacheStateSource source,
            SyncSettings settings) {
        return start(client, nodeName, source, settings, InstantSource.system());
    }

    /**
     * As {@link #start(KubernetesClient, String, CacheStateSource, SyncSettings)}, with batching, resyncs,
     * backoff and the status's timestamp read from {@code clock}. A clock that jumps ahead is noticed at the
     * sync's next wake-up, or at once after {@link #clockMoved()}.
     */
    public static NodeCacheSync start(KubernetesClient client, String nodeName, CacheStateSource source,
            SyncSettings settings, InstantSource clock) {
        Objects.requireNonNull(client, "client");
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("the Kubernetes node name is required (env NODE_NAME from the "
                    + "downward API, or --name)");
        }
        NodeCacheSync sync = new NodeCacheSync(client, nodeName, Objects.requireNonNull(source, "source"),
                Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(clock, "clock"));
        source.subscribe(sync::changed);
        sync.thread.start();
        return sync;
    }

    public String nodeName() {
        return nodeName;
    }

    /** Wakes the sync to look at its clock again (after a clock that is moved by hand was moved). */
    public void clockMoved() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The clock's time in nanoseconds since the epoch: only differences are used. */
    private long nanoTime() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Creates and patches made so far, for tests and metrics. */
    public long writes() {
        return writer.writes();
    }

    private void changed(CacheEvent event) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            dirty = true;
            if (event.kind() == CacheEvent.Kind.REMOVED && !urgent) {
                urgent = true;
                urgentSince = nanoTime();
            }
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            boolean checkNow;
            synchronized (lock) {
                if (!awaitDue()) {
                    return;
                }
                long now = nanoTime();
                checkNow = check || now - lastCheckAt >= settings.resyncInterval().toNanos();
                check = false;
                dirty = false;
                urgent = false;
            }
            try {
                pass(checkNow);
                succeeded();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    /** Waits until a pass is due; false once closed. Called holding the lock. */
    private boolean awaitDue() {
        while (!closed) {
            long now = nanoTime();
            long wait = dueAt(now) - now;
            if (wait <= 0) {
                return true;
            }
            try {
                lock.wait(Math.max(1, wait / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private long dueAt(long now) {
        if (failures > 0) {
            return retryAt;
        }
        if (check) {
            return now;
        }
        long due = lastCheckAt + settings.resyncInterval().toNanos();
        if (dirty) {
            due = Math.min(due, lastWriteAt + settings.batchInterval().toNanos());
        }
        if (urgent) {
            due = Math.min(due, urgentSince + settings.removalDelay().toNanos());
        }
        return due;
    }

    private void pass(boolean checkNow) {
        NodeSnapshotCacheStatus status = statuses.build(source.current(), clock.instant());
        boolean mustWrite = written == null || !sameContent(status, written);
        if (checkNow) {
            mustWrite |= repair(status);
            synchronized (lock) {
                lastCheckAt = nanoTime();
            }
        }
        if (!mustWrite) {
            return;
        }
        if (!writer.writeStatus(status)) {
            LOG.log(Level.INFO, () -> "NodeSnapshotCache " + nodeName + " was deleted; recreating it");
            writer.create();
            if (!writer.writeStatus(status)) {
                throw new IllegalStateException("NodeSnapshotCache " + nodeName + " disappeared right after it "
                        + "was created");
            }
        }
        written = status;
        synchronized (lock) {
            lastWriteAt = nanoTime();
        }
    }

    /** Reads the object back and fixes what is not ours; returns whether the status must be written. */
    private boolean repair(NodeSnapshotCacheStatus status) {
        NodeSnapshotCacheWriter.Existing existing = writer.read();
        switch (existing) {
            case NodeSnapshotCacheWriter.Existing.Absent absent -> {
                if (adopted) {
                    LOG.log(Level.INFO, () -> "NodeSnapshotCache " + nodeName + " was deleted; recreating it");
                } else {
                    LOG.log(Level.INFO, () -> "creating NodeSnapshotCache " + nodeName);
                }
                writer.create();
                adopted = true;
                return true;
            }
            case NodeSnapshotCacheWriter.Existing.Malformed malformed -> {
                LOG.log(Level.WARNING, () -> "NodeSnapshotCache " + nodeName + " holds " + malformed.problem()
                        + "; overwriting it with this node's state");
                writer.writeSpec();
                adopted = true;
                return true;
            }
            case NodeSnapshotCacheWriter.Existing.Readable readable -> {
                NodeSnapshotCacheStatus found = readable.object().getStatus();
                if (!adopted) {
                    adopted = true;
                    int stale = found == null ? 0 : stale(found.revisions(), status.revisions());
                    LOG.log(Level.INFO, () -> "adopting NodeSnapshotCache " + nodeName + " from an earlier run; replacing what "
                            + "it advertised (" + stale + " revisions no longer cached)");
                    return true;
                }
                if (found == null || written == null || !sameContent(found, written)) {
                    LOG.log(Level.WARNING, () -> "NodeSnapshotCache " + nodeName + " was changed by someone else; "
                            + "overwriting it with this node's state");
                    return true;
                }
                return false;
            }
        }
    }

    private static int stale(List<CachedRevision> advertised, List<CachedRevision> cached) {
        Set<String> now = new HashSet<>();
        cached.forEach(r -> now.add(r.function() + "/" + r.revision()));
        return (int) advertised.stream().filter(r -> r == null || !now.contains(r.function() + "/" + r.revision()))
                .count();
    }

    private static boolean sameContent(NodeSnapshotCacheStatus a, NodeSnapshotCacheStatus b) {
        return a.at(null).equals(b.at(null));
    }

    private void succeeded() {
        int failed;
        synchronized (lock) {
            failed = failures;
            failures = 0;
        }
        if (failed > 0) {
            LOG.log(Level.INFO, () -> "NodeSnapshotCache " + nodeName + " is written again after " + failed
                    + " failed attempts");
        }
    }

    private void failed(RuntimeException e) {
        int failed;
        long backoff;
        synchronized (lock) {
            failed = ++failures;
            // Nothing is lost: the next attempt reads the object back and writes the whole state,
            // whichever step of this one failed.
            dirty = true;
            check = true;
            backoff = backoff(failed);
            retryAt = nanoTime() + backoff;
        }
        if (failed == 1) {
            LOG.log(Level.WARNING, "cannot write NodeSnapshotCache " + nodeName + ": " + e.getMessage()
                    + "; retrying with backoff up to " + settings.maxBackoff().toMillis() + " ms while it fails", e);
        }
    }

    private long backoff(int failed) {
        long min = settings.minBackoff().toNanos();
        long max = settings.maxBackoff().toNanos();
        int shift = Math.min(failed - 1, 30);
        return min > (max >> shift) ? max : Math.min(max, min << shift);
    }

    /** Stops writing; the object stays as last written (a restarted node replaces it). */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            if (!thread.join(CLOSE_WAIT)) {
                thread.interrupt(); // stuck in an API call: give up on it
                thread.join(CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
