package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.store.StoreKeys;
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
 * names and the sink lacks, with at most {@code parallelism} GETs in flight, first-touched chunks
 * first, each verified against the signed manifest before it reaches the sink.
 */
public final class WorkingSetPrefetch {
    private final ObjectStore store;
    private final ChunkTransfer chunks;
    private final int parallelism;

    /**
     * What a prefetch did.
     *
     * @param chunks distinct non-zero chunks the set names
     * @param fetched those fetched from the store
     * @param present those the sink had already
     * @param fetchedBytes bytes read from the store (compressed)
     * @param rawBytes raw bytes of the fetched chunks
     */
    public record Report(int chunks, int fetched, int present, long fetchedBytes, long rawBytes, long elapsedMs) {}

    public WorkingSetPrefetch(ObjectStore store, int parallelism) {
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("prefetch parallelism must be from 1 to 64, got " + parallelism);
        }
        this.store = store;
        this.chunks = new ChunkTransfer(store);
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
    public Report prefetch(SnapshotInfo info, WorkingSet set, ChunkSink sink) throws StoreException {
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
        String describe = StoreKeys.snapshotPrefix(info.function(), info.revision()) + " in " + store.describe();
        AtomicInteger fetched = new AtomicInteger();
        AtomicInteger present = new AtomicInteger();
        AtomicLong fetchedBytes = new AtomicLong();
        AtomicLong rawBytes = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, wanted.size())),
                Thread.ofPlatform().name("thaw-prefetch-", 0).daemon().factory());
        List<Future<?>> work = new ArrayList<>();
        try {
            for (Map.Entry<String, Integer> chunk : wanted.entrySet()) {
                work.add(pool.submit(() -> {
                    String digest = chunk.getKey();
                    if (sink.has(digest)) {
                        present.incrementAndGet();
                        return null;
                    }
                    int length = entry.chunkLength(chunk.getValue());
                    byte[] data = chunks.fetchVerified(digest, length, set.file(), chunk.getValue(), describe,
                            fetchedBytes);
                    sink.put(digest, data);
                    fetched.incrementAndGet();
                    rawBytes.addAndGet(length);
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
            throw new StoreException("prefetch failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while prefetching the working set", e);
        } finally {
            pool.shutdownNow();
            try {
                // The sink's writers must be gone before the caller uses or removes it.
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Report(wanted.size(), fetched.get(), present.get(), fetchedBytes.get(), rawBytes.get(),
                (System.nanoTime() - start) / 1_000_000);
    }
}
