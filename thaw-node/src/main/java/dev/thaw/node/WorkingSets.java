package dev.thaw.node;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.snapshot.lazy.ChunkAccessListener;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.lazy.PageSource;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.workingset.LoadedPack;
import dev.thaw.snapshot.workingset.PagePack;
import dev.thaw.snapshot.workingset.PagePackBuilder;
import dev.thaw.snapshot.workingset.PageRange;
import dev.thaw.snapshot.workingset.WorkingSetException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's working sets (see {@link WorkingSet}): the first lazy start of a revision that has none
 * records the memory chunks its guest reads until the first response and publishes them; later
 * lazy starts fetch that set into the chunk cache in one parallel batch while the VM restores, and
 * local restores read it ahead from the cached memory file. A set that is refused is counted and
 * the start goes on without it.
 *
 * <p>The recording start also records the pages its guest read, and publishes their bytes as the
 * set's page pack; a later lazy start fetches that pack in one GET instead of the set's chunks and
 * serves the reads it holds from it ({@link PagePacks}). A pack that is refused is counted and the
 * start prefetches the set's chunks instead.
 *
 * <p>A guest does not read the same pages on every start: on examples/hello most starts read what
 * the recording start read, but some read 20 to 150 pages more (time-driven work in the guest). A
 * start served from a pack therefore records its reads too, and when at least
 * {@link #GROW_MIN_PAGES} of them missed the pack, the node publishes the pack grown by those pages
 * (and the set by their chunks), so that later starts find them there.
 *
 * <p>Owns the threads that prefetch and publish; {@link #close} stops them.
 */
final class WorkingSets implements AutoCloseable {
    private static final Logger LOG = System.getLogger(WorkingSets.class.getName());
    /** GETs in flight for one prefetch: as many as a whole fetch uses. */
    static final int PREFETCH_PARALLELISM = 8;
    /**
     * Pages a start must miss before its pack is grown: fewer cost a chunk GET each, less than
     * publishing the set and its pack again.
     */
    static final int GROW_MIN_PAGES = 16;

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
    private final PagePacks packs = new PagePacks(counters, background);
    /** Starts served from a pack whose reads are recorded, by their recorder: the set and pack they started with. */
    private final Map<WorkingSetRecorder, Grow> growing = new ConcurrentHashMap<>();
    /** Grown packs being built and published in the background. */
    private final AtomicInteger growingNow = new AtomicInteger();

    /** A start served from {@code base}'s pack ({@code pack}, once loaded), recording what it reads. */
    private record Grow(WorkingSet base, CompletableFuture<Optional<LoadedPack>> pack) {}

    /**
     * What a lazy start does about its working set.
     *
     * @param recorder present when this start records the set
     * @param pages serves the reads the set's page pack holds; {@link PageSource#NONE} without one
     */
    record Plan(Optional<WorkingSetRecorder> recorder, PageSource pages) {
        static final Plan NONE = new Plan(Optional.empty(), PageSource.NONE);
    }

    WorkingSets(String node) {
        this.node = node;
    }

    WorkingSetCounters counters() {
        return counters;
    }

    /** Revisions whose page pack is in memory now (instances of them are being presented). */
    int packsHeld() {
        return packs.held();
    }

    /** Grown packs being built or published now. */
    int packsGrowing() {
        return growingNow.get();
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
     * its page pack fetched in the background (or, without one, its chunks prefetched into
     * {@code chunks}), or a recording begun when the revision has no usable set and none is being
     * recorded. A start served from a pack records its reads as well (when no other start of the
     * revision records), to grow the pack by what it missed. The caller releases the plan's pages if
     * it never presents them.
     *
     * @param prefetched gets the store bytes the pack or the prefetch reads
     */
    Plan beforeLazyStart(String key, SnapshotInfo info, SnapshotStore remote, TrustedSigners signers,
            ChunkCache chunks, AtomicLong prefetched) {
        Optional<WorkingSet> set = !prefetch ? Optional.empty() : usable(key, info).or(() -> {
            Optional<WorkingSet> loaded = new WorkingSetLoader(remote, counters).load(info, signers);
            loaded.ifPresent(s -> known.put(key, s));
            return loaded;
        });
        if (set.isPresent()) {
            if (set.get().pack() == null) {
                startPrefetch(info, set.get(), remote, chunks, prefetched);
                return Plan.NONE;
            }
            PagePacks.Acquired pack = packs.acquire(key, set.get(), () -> loadPack(set.get(), remote, prefetched));
            if (pack.fetching()) {
                pack.loaded().thenAccept(loaded -> {
                    if (loaded.isEmpty()) {
                        startPrefetch(info, set.get(), remote, chunks, prefetched);
                    }
                });
            }
            WorkingSetRecorder reads = new WorkingSetRecorder(info, set.get().file());
            if (recording.putIfAbsent(key, reads) != null) {
                return new Plan(Optional.empty(), pack.pages());
            }
            growing.put(reads, new Grow(set.get(), pack.loaded()));
            toPresent.put(key, reads);
            return new Plan(Optional.of(reads), pack.pages());
        }
        WorkingSetRecorder recorder = new WorkingSetRecorder(info, WorkingSet.MEMORY_FILE);
        if (recording.putIfAbsent(key, recorder) != null) {
            return Plan.NONE;
        }
        toPresent.put(key, recorder);
        return new Plan(Optional.of(recorder), PageSource.NONE);
    }

    /**
     * {@link #beforeLazyStart} on this object's threads, so that a start fetches its device state
     * while its working set is looked up in the store. A failure gives {@link Plan#NONE}.
     */
    CompletableFuture<Plan> beforeLazyStartAsync(String key, SnapshotInfo info, SnapshotStore remote,
            TrustedSigners signers, ChunkCache chunks, AtomicLong prefetched) {
        return CompletableFuture.supplyAsync(() -> beforeLazyStart(key, info, remote, signers, chunks, prefetched),
                background).exceptionally(e -> {
                    LOG.log(Level.WARNING, "cannot plan the working set of " + key + "; starting without it: " + e);
                    return Plan.NONE;
                });
    }

    /** Fetches and verifies {@code set}'s page pack; empty (counted, logged) when it is refused or cannot be had. */
    private Optional<LoadedPack> loadPack(WorkingSet set, SnapshotStore remote, AtomicLong prefetched) {
        try {
            LoadedPack pack = new WorkingSetStore(remote).fetchPack(set);
            counters.packLoaded(set.pack().storedBytes());
            prefetched.addAndGet(set.pack().storedBytes());
            return Optional.of(pack);
        } catch (WorkingSetException e) {
            counters.refused(e.reason());
            LOG.log(Level.WARNING, "page pack refused (" + e.reason().label() + "): " + e.getMessage());
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot fetch the page pack of " + set.function() + "/" + set.revision()
                    + "; its pages are read from chunks: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** The listener for the memory file of {@code info} being presented now: its recorder's, if it records. */
    ChunkAccessListener listenerFor(String key) {
        WorkingSetRecorder recorder = toPresent.remove(key);
        if (recorder == null) {
            return ChunkAccessListener.NONE;
        }
        return new ChunkAccessListener() {
            @Override
            public void firstRead(String file, int index) {
                recorder.touched(file, index);
            }

            @Override
            public void read(String file, long offset, int length) {
                recorder.read(file, offset, length);
            }
        };
    }

    /** The start that was to record did not start: another may record. */
    void abandon(String key, WorkingSetRecorder recorder) {
        growing.remove(recorder);
        toPresent.remove(key, recorder);
        recording.remove(key, recorder);
    }

    /**
     * The first response of the recording start: the set is complete; published in the background,
     * with a pack of the pages read built from verified chunks ({@code chunks}, fetched on a miss).
     */
    void firstResponse(String key, WorkingSetRecorder recorder, SnapshotStore remote, ChunkCache chunks) {
        Grow grow = growing.remove(recorder);
        if (grow != null) {
            grow(key, recorder, grow, remote, chunks);
            return;
        }
        Optional<WorkingSet> set = recorder.finish(node);
        recording.remove(key, recorder);
        if (set.isEmpty()) {
            return;
        }
        counters.recorded();
        known.put(key, set.get());
        List<PageRange> pages = recorder.pages();
        background.execute(() -> {
            try {
                Optional<PagePackBuilder.Built> pack = pages.isEmpty() ? Optional.empty()
                        : buildPack(recorder.info(), recorder.file(), pages, remote, chunks);
                WorkingSet published = pack.map(p -> set.get().withPack(p.pack())).orElse(set.get());
                if (pack.isPresent()) {
                    new WorkingSetStore(remote).publish(published, pack.get().object());
                    counters.packPublished();
                } else {
                    new WorkingSetStore(remote).publish(published);
                }
                known.put(key, published);
                counters.published();
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot publish the working set of " + key + ": " + e.getMessage());
            }
        });
    }

    /**
     * The first response of a start served from {@code grow}'s pack: if it read at least
     * {@link #GROW_MIN_PAGES} pages the pack lacks, publishes in the background the set grown by their
     * chunks and its pack by those pages (taken from the pack it has and from verified chunks).
     */
    private void grow(String key, WorkingSetRecorder recorder, Grow grow, SnapshotStore remote, ChunkCache chunks) {
        Optional<WorkingSet> touched = recorder.finish(node);
        recording.remove(key, recorder);
        WorkingSet base = grow.base();
        List<PageRange> pages = PageRange.union(base.pack().ranges(), recorder.pages());
        long missed = PageRange.bytes(pages) - base.pack().rawBytes();
        Optional<LoadedPack> loaded = grow.pack().getNow(Optional.empty());
        if (touched.isEmpty() || loaded.isEmpty() || missed < (long) GROW_MIN_PAGES * PagePack.PAGE
                || pages.size() > PagePack.MAX_RANGES || PageRange.bytes(pages) > PagePack.MAX_RAW_BYTES) {
            return;
        }
        LinkedHashSet<Integer> order = new LinkedHashSet<>(base.chunks());
        order.addAll(touched.get().chunks());
        growingNow.incrementAndGet();
        try {
            background.execute(() -> publishGrown(key, recorder.info(), base, loaded.get(), pages, List.copyOf(order),
                    missed, remote, chunks));
        } catch (RejectedExecutionException e) {
            growingNow.decrementAndGet(); // closing
        }
    }

    /** Builds {@code pages} into a pack from {@code loaded} and verified chunks; publishes it with {@code order}. */
    private void publishGrown(String key, SnapshotInfo info, WorkingSet base, LoadedPack loaded, List<PageRange> pages,
            List<Integer> order, long missed, SnapshotStore remote, ChunkCache chunks) {
        try {
            PagePackBuilder.Built pack = PagePackBuilder.extend(info.files().get(base.file()), loaded, pages,
                    verifiedChunks(info, base.file(), remote, chunks));
            WorkingSet grown = WorkingSet.of(info, base.file(), order, node).withPack(pack.pack());
            new WorkingSetStore(remote).publish(grown, pack.object());
            known.put(key, grown);
            counters.packGrown(missed);
        } catch (StoreException | IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot grow the page pack of " + key + " by " + missed / PagePack.PAGE
                    + " pages: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            growingNow.decrementAndGet();
        }
    }

    /** The pack of {@code pages}, or empty (logged) when a chunk cannot be had: the set is published without one. */
    private Optional<PagePackBuilder.Built> buildPack(SnapshotInfo info, String file,
            List<PageRange> pages, SnapshotStore remote, ChunkCache chunks) {
        SnapshotInfo.FileEntry entry = info.files().get(file);
        try {
            return Optional.of(PagePackBuilder.build(entry, pages, verifiedChunks(info, file, remote, chunks)));
        } catch (StoreException | IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot pack the working set pages of " + info.function() + "/" + info.revision()
                    + "; publishing it without: " + e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The chunks of {@code file}, from the chunk cache (verified chunks only); a miss is fetched and verified. */
    private static PagePackBuilder.Chunks verifiedChunks(SnapshotInfo info, String file, SnapshotStore remote,
            ChunkCache chunks) {
        SnapshotInfo.FileEntry entry = info.files().get(file);
        return index -> {
            int length = entry.chunkLength(index);
            if (ChunkTransfer.isZero(entry, index)) {
                return new byte[length];
            }
            String digest = entry.chunks().get(index);
            chunks.pin(digest, length, fetched -> remote.fetchChunk(info, file, index, fetched));
            try {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(length);
                if (chunks.read(digest, 0, bytes) != length) {
                    throw new IOException("chunk " + index + " of " + file + " in the chunk cache is short");
                }
                return bytes.array();
            } finally {
                chunks.unpin(digest);
            }
        };
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
