package dev.thaw.node;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.cache.CacheException;
import dev.thaw.snapshot.cache.NodeCache;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * After a lazy start has answered, completes the snapshot in the background into the node's
 * whole-snapshot cache entry, from the chunk cache (the chunks the guest touched) and the store
 * (the rest, verified like any chunk), so later starts of the revision restore locally and can be
 * pre-started (the local and clone tiers) instead of presenting memory over FUSE.
 */
final class SnapshotCompleter implements AutoCloseable {
    private static final Logger LOG = System.getLogger(SnapshotCompleter.class.getName());

    private final NodeCache cache;
    private final ChunkCache chunks;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            BackgroundThreads.factory("snapshot-complete-"));
    private final Map<String, Job> running = new ConcurrentHashMap<>();
    private final Consumer<Exception> failed;

    /** One completion: cancelled before or while it runs; done once it ran or was skipped. */
    private static final class Job {
        final CountDownLatch done = new CountDownLatch(1);
        volatile boolean cancelled;
        volatile Thread runner;
    }

    /** @param failed told of a completion that failed for a reason other than being stopped (counted as a fetch is) */
    SnapshotCompleter(NodeCache cache, ChunkCache chunks, Consumer<Exception> failed) {
        this.cache = cache;
        this.chunks = chunks;
        this.failed = failed;
    }

    /** Completes {@code info} into the cache entry {@code key} in the background, unless it is there or under way. */
    void complete(String key, SnapshotStore remote, SnapshotInfo info) {
        if (cache.contains(key)) {
            return;
        }
        Job job = new Job();
        if (running.putIfAbsent(key, job) != null) {
            return;
        }
        try {
            worker.execute(() -> run(key, job, remote, info));
        } catch (RejectedExecutionException e) {
            running.remove(key, job);
            job.done.countDown();
        }
    }

    private void run(String key, Job job, SnapshotStore remote, SnapshotInfo info) {
        job.runner = Thread.currentThread();
        try {
            if (job.cancelled) {
                return;
            }
            long bytes = info.files().values().stream().mapToLong(FileEntry::size).sum();
            cache.acquire(key, bytes, staging -> {
                try {
                    fill(staging, remote, info, job);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("stopped", e);
                }
                return 0;
            }).close();
        } catch (CacheException | RuntimeException e) {
            LOG.log(Level.INFO, "the snapshot " + key + " stays lazily fetched: " + e.getMessage());
            if (!job.cancelled) {
                failed.accept(e);
            }
        } catch (InterruptedException e) {
            // cancelled
        } finally {
            job.runner = null;
            Thread.interrupted(); // the worker thread serves the next job
            running.remove(key, job);
            job.done.countDown();
        }
    }

    private void fill(Path staging, SnapshotStore remote, SnapshotInfo info, Job job)
            throws IOException, InterruptedException {
        for (Map.Entry<String, FileEntry> e : info.files().entrySet()) {
            FileEntry entry = e.getValue();
            try (RandomAccessFile file = new RandomAccessFile(staging.resolve(e.getKey()).toFile(), "rw")) {
                file.setLength(entry.size());
                FileChannel out = file.getChannel();
                for (int i = 0; i < entry.chunks().size(); i++) {
                    if (job.cancelled || Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException();
                    }
                    if (ChunkTransfer.isZero(entry, i)) {
                        continue; // a hole reads as zeros
                    }
                    String digest = entry.chunks().get(i);
                    int index = i;
                    try {
                        chunks.pin(digest, entry.chunkLength(i),
                                fetched -> remote.fetchChunk(info, e.getKey(), index, fetched));
                    } catch (StoreException ex) {
                        throw new IOException(ex.getMessage(), ex);
                    }
                    try {
                        ByteBuffer buffer = ByteBuffer.allocate(entry.chunkLength(i));
                        chunks.read(digest, 0, buffer);
                        buffer.flip();
                        long position = (long) i * entry.chunkSize();
                        while (buffer.hasRemaining()) {
                            out.write(buffer, position + buffer.position());
                        }
                    } finally {
                        chunks.unpin(digest);
                    }
                }
            }
        }
        info.write(staging.resolve(SnapshotInfo.FILE_NAME));
    }

    /** Stops completing {@code key} and waits (a bounded time) until it has stopped. */
    void cancel(String key) {
        Job job = running.get(key);
        if (job == null) {
            return;
        }
        job.cancelled = true;
        Thread runner = job.runner;
        if (runner != null) {
            runner.interrupt();
        }
        try {
            if (!job.done.await(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "completing the snapshot " + key + " did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for every completion started so far. */
    void awaitIdle() throws InterruptedException {
        for (Job job : running.values()) {
            job.done.await();
        }
    }

    @Override
    public void close() {
        running.values().forEach(job -> job.cancelled = true);
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "completing a snapshot did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
