package dev.thaw.node;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.snapshot.lazy.ChunkAccessListener;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.workingset.ChunkCacheSink;
import dev.thaw.snapshot.workingset.ReadAhead;
import dev.thaw.snapshot.workingset.WorkingSet;
import dev.thaw.snapshot.workingset.WorkingSetStore;
import dev.thaw.snapshot.workingset.WorkingSetCounters;
import dev.thaw.snapshot.workingset.WorkingSetLoader;
import dev.thaw.snapshot.workingset.WorkingSetPrefetch;
import dev.thaw.snapshot.workingset.WorkingSetRecorder;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's working sets (see {@link WorkingSet}): the first lazy start of a revision that has none
 * records the memory chunks its guest reads until the first response and publishes them; later
 * lazy starts fetch that set into the chunk cache in one parallel batch while the VM restores, and
 * local restores read it ahead from the cached memory file. A set that is refused is counted and
 * the start goes on without it.
 *
 * <p>Owns the threads that prefetch and publish; {@link #close} stops them.
 */
final class WorkingSets implements AutoCloseable {
    private static final Logger LOG = System.getLogger(WorkingSets.class.getName());
    /** GETs in flight for one prefetch: as many as a whole fetch uses. */
    static final int PREFETCH_PARALLELISM = 8;

    private final String node;
    private final WorkingSetCounters counters = new WorkingSetCounters();
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("working-set-", 0).factory());
    /** The sets known here, by snapshot key: published, loaded or recorded. */
    private final Map<String, WorkingSet> known = new ConcurrentHashMap<>();
    /** Revisions being recorded; one recording per revision at a time. */
    private final Map<String, WorkingSetRecorder> recording = new ConcurrentHashMap<>();
    /** Recorders waiting for the memory file they record to be presented. */
    private final Map<String, WorkingSetRecorder> toPresent = new ConcurrentHashMap<>();
    private volatile boolean prefetch = true;

    WorkingSets(String node) {
        this.node = node;
    }

    WorkingSetCounters counters() {
        return counters;
    }

    /**
     * Off: published sets are not used (no prefetch, no read-ahead) and every lazy start records
     * its own and publishes it, so that benchmarks can compare starts without and with one.
     */
    void prefetch(boolean on) {
        prefetch = on;
    }

    /**
     * What a lazy start of {@code info} does about its working set, before its memory is presented:
     * a prefetch of the set into {@code chunks} started in the background, or a recording begun
     * when the revision has no usable set and none is being recorded.
     *
     * @param prefetched gets the store bytes the prefetch reads
     * @return the recorder for this start, if it records
     */
    Optional<WorkingSetRecorder> beforeLazyStart(String key, SnapshotInfo info, SnapshotStore remote,
            TrustedSigners signers, ChunkCache chunks, AtomicLong prefetched) {
        Optional<WorkingSet> set = !prefetch ? Optional.empty() : usable(key, info).or(() -> {
            Optional<WorkingSet> loaded = new WorkingSetLoader(remote, counters).load(info, signers);
            loaded.ifPresent(s -> known.put(key, s));
            return loaded;
        });
        if (set.isPresent()) {
            startPrefetch(info, set.get(), remote, chunks, prefetched);
            return Optional.empty();
        }
        WorkingSetRecorder recorder = new WorkingSetRecorder(info, WorkingSet.MEMORY_FILE);
        if (recording.putIfAbsent(key, recorder) != null) {
            return Optional.empty();
        }
        toPresent.put(key, recorder);
        return Optional.of(recorder);
    }

    /** The listener for the memory file of {@code info} being presented now: its recorder's, if it records. */
    ChunkAccessListener listenerFor(String key) {
        WorkingSetRecorder recorder = toPresent.remove(key);
        return recorder == null ? ChunkAccessListener.NONE : recorder::touched;
    }

    /** The start that was to record did not start: another may record. */
    void abandon(String key, WorkingSetRecorder recorder) {
        toPresent.remove(key, recorder);
        recording.remove(key, recorder);
    }

    /** The first response of the recording start: the set is complete; published in the background. */
    void firstResponse(String key, WorkingSetRecorder recorder, SnapshotStore remote) {
        Optional<WorkingSet> set = recorder.finish(node);
        recording.remove(key, recorder);
        if (set.isEmpty()) {
            return;
        }
        counters.recorded();
        known.put(key, set.get());
        background.execute(() -> {
            try {
                new WorkingSetStore(remote).publish(set.get());
                counters.published();
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot publish the working set of " + key + ": " + e.getMessage());
            }
        });
    }

    /**
     * Reads the working set of a cached snapshot ahead into the page cache before its VM maps it,
     * when one is known here for that very snapshot.
     */
    void readAhead(String key, Path snapshotDir) {
        WorkingSet set = known.get(key);
        if (set == null || !prefetch) {
            return;
        }
        try {
            SnapshotInfo info = SnapshotInfo.read(snapshotDir.resolve(SnapshotInfo.FILE_NAME));
            if (usable(key, info).isEmpty()) {
                return;
            }
            counters.readAhead(ReadAhead.willNeed(snapshotDir.resolve(LocalSnapshot.MEMORY),
                    info.files().get(set.file()), set));
        } catch (IOException | dev.thaw.api.SnapshotFormatException e) {
            // The restore reads the file itself and reports what is wrong with it.
        }
    }

    /** The known set of {@code key} if it describes {@code info}'s snapshot. */
    private Optional<WorkingSet> usable(String key, SnapshotInfo info) {
        WorkingSet set = known.get(key);
        if (set == null) {
            return Optional.empty();
        }
        try {
            set.requireWithin(info, "the working set of " + key);
            return Optional.of(set);
        } catch (dev.thaw.snapshot.workingset.WorkingSetException e) {
            known.remove(key, set); // recorded for an older snapshot of the revision
            return Optional.empty();
        }
    }

    private void startPrefetch(SnapshotInfo info, WorkingSet set, SnapshotStore remote, ChunkCache chunks,
            AtomicLong prefetched) {
        background.execute(() -> {
            try {
                WorkingSetPrefetch.Report report = new WorkingSetPrefetch(remote, PREFETCH_PARALLELISM)
                        .prefetch(info, set, new ChunkCacheSink(chunks), prefetched);
                counters.prefetched(report);
            } catch (StoreException | RuntimeException e) {
                // The guest's own first touch of a bad chunk fails the start cleanly; nothing to do here.
                LOG.log(Level.WARNING, "working set prefetch of " + info.function() + "/" + info.revision()
                        + " stopped: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void close() {
        background.shutdownNow();
        try {
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
