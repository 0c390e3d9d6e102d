package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches a snapshot's working set from the store in one batch: each distinct non-zero chunk it
 * names that the sink lacks, with at most {@code parallelism} GETs in flight, first-touched chunks
 * first, each verified against the signed manifest before it reaches the sink.
 */
public final class WorkingSetPrefetch {
    private final SnapshotStore store;
    private final int parallelism;

    /**
     * What a prefetch did.
     *
     * @param chunks distinct non-zero chunks the set names
     * @param fetched those fetched from the store (the others were in the sink already)
     * @param fetchedBytes bytes read from the store (compressed)
     * @param rawBytes raw bytes of the fetched chunks
     */
    public record Report(int chunks, int fetched, long fetchedBytes, long rawBytes, long elapsedMs) {}

    public WorkingSetPrefetch(SnapshotStore store, int parallelism) {
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("prefetch parallelism must be from 1 to 64, got " + parallelism);
        }
        this.store = store;
        this.parallelism = parallelism;
    }

    /**
     * Fetches the chunks of {@code set} into {@code sink}. The set must have been checked against
     * {@code info} ({@link WorkingSet#requireWithin}); the digests come from {@code info}, the signed
     * manifest, never from the set.
     *
     * @throws StoreException if the store fails, or a chunk is missing or does not verify
     *     ({@link dev.thaw.snapshot.store.CorruptBundleException}): the snapshot itself is bad then
     */
    public Report prefetch(SnapshotInfo info, WorkingSet set, ChunkSink sink) throws StoreException, InterruptedException {
        return prefetch(info, set, sink, new AtomicLong());
    }

    /** Like {@link #prefetch(SnapshotInfo, WorkingSet, ChunkSink)}, adding the store bytes read to {@code live} as they come. */
    public Report prefetch(SnapshotInfo info, WorkingSet set, ChunkSink sink, AtomicLong live)
            throws StoreException, InterruptedException {
        long start = System.nanoTime();
        FileEntry entry = info.files().get(set.file());
        if (entry == null || set.chunks().stream().anyMatch(i -> i < 0 || i >= entry.chunks().size())) {
            throw new IllegalArgumentException("the working set was not checked against the snapshot");
        }
        Map<String, Integer> wanted = new LinkedHashMap<>();
        for (int index : set.chunks()) {
            if (!ChunkTransfer.isZero(entry, index)) {
                wanted.putIfAbsent(entry.chunks().get(index), index);
            }
        }
        AtomicInteger fetched = new AtomicInteger();
        AtomicLong fetchedBytes = new AtomicLong();
        AtomicLong rawBytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, wanted.size())),
                Thread.ofPlatform().name("thaw-prefetch-", 0).daemon().factory());
        List<Future<?>> work = new ArrayList<>();
        try {
            for (Map.Entry<String, Integer> chunk : wanted.entrySet()) {
                int index = chunk.getValue();
                int length = entry.chunkLength(index);
                work.add(pool.submit(() -> {
                    sink.fill(chunk.getKey(), length, counted -> {
                        AtomicLong read = new AtomicLong();
                        byte[] data = store.fetchChunk(info, set.file(), index, read);
                        counted.addAndGet(read.get());
                        fetchedBytes.addAndGet(read.get());
                        live.addAndGet(read.get());
                        fetched.incrementAndGet();
                        rawBytes.addAndGet(length);
                        return data;
                    });
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StoreException s) {
                throw s;
            }
            if (cause instanceof IOException io) {
                throw new StoreException("cannot keep a prefetched chunk: " + io, io);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof InterruptedException i) {
                throw i;
            }
            throw new StoreException("prefetch failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
            // The sink's writers must be gone before the caller uses or removes it.
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        return new Report(wanted.size(), fetched.get(), fetchedBytes.get(), rawBytes.get(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
