package dev.thaw.snapshot.lazy;

import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One snapshot file shown read-only on a {@link LazyMount}: a read of a range becomes reads of the
 * chunks it covers. A zero chunk reads as zeros, because the signed manifest says it is one; any
 * other chunk comes from the node's {@link ChunkCache}, fetched and verified on a miss, and stays
 * pinned there until this file is closed. A read that a {@link PageSource} (a working set's verified
 * page pack) holds whole is served from it instead. Closing removes the file from the mount.
 */
public final class PresentedFile implements AutoCloseable {
    /**
     * Non-zero chunks fetched ahead after a miss, when no {@link PageSource} serves the file: a
     * guest then reads memory in runs, and the next chunks are likely next. With a page pack, the
     * reads it lacks are scattered pages, and fetching ahead after each moved up to five times the
     * chunks they needed (examples/hello: 23 missed pages pulled 8.0 MiB more; docs/benchmarks.md).
     */
    static final int PREFETCH = 4;

    /** Fetches chunk {@code index} of this file, verified, adding the stored bytes read to {@code fetched}. */
    @FunctionalInterface
    public interface ChunkSource {
        byte[] fetch(int index, AtomicLong fetched) throws StoreException;
    }

    private final LazyMount mount;
    private final String id;
    private final String name;
    private final FileEntry entry;
    private final ChunkSource source;
    private final ChunkAccessListener listener;
    private final ChunkCache cache;
    private final PageSource pages;
    /** Chunks this file holds a pin on, and chunks read at least once. Guarded by this. */
    private final BitSet pinned = new BitSet();
    private final BitSet seen = new BitSet();
    /** Open chunk files of pinned chunks, by index. Guarded by this. */
    private final Map<Integer, FileChannel> open = new HashMap<>();
    private final AtomicLong fetched = new AtomicLong();
    private volatile StoreException failure;
    private boolean closed;

    PresentedFile(LazyMount mount, String id, String name, FileEntry entry, ChunkSource source,
            ChunkAccessListener listener) {
        this(mount, id, name, entry, source, listener, PageSource.NONE);
    }

    PresentedFile(LazyMount mount, String id, String name, FileEntry entry, ChunkSource source,
            ChunkAccessListener listener, PageSource pages) {
        this.pages = pages;
        this.mount = mount;
        this.id = id;
        this.name = name;
        this.entry = entry;
        this.source = source;
        this.listener = listener;
        this.cache = mount.cache();
    }

    /** Where the file is: open it read-only, or map it privately. */
    public Path path() {
        return mount.mountPoint().resolve(id);
    }

    /** The file's name in the snapshot. */
    public String name() {
        return name;
    }

    public long size() {
        return entry.size();
    }

    /** Bytes read from the store (compressed) by the misses of this file's reads. */
    public long fetchedBytes() {
        return fetched.get();
    }

    /** The first read failure (store unreachable, chunk missing or corrupt), if any: the reader got EIO. */
    public Optional<StoreException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Chunks read at least once. */
    public synchronized int chunksRead() {
        return seen.cardinality();
    }

    /**
     * Fills {@code target} with bytes from {@code offset}, at most to the end of the file; returns
     * how many. Throws if a chunk cannot be had (the file system answers EIO).
     */
    int read(ByteBuffer target, long offset) throws IOException, InterruptedException {
        if (offset >= entry.size()) {
            return 0;
        }
        int want = (int) Math.min(target.remaining(), entry.size() - offset);
        try {
            listener.read(name, offset, want);
        } catch (RuntimeException e) {
            // A listener's trouble must not fail the guest's read.
        }
        if (want > 0 && pages.read(offset, target.slice(target.position(), want))) {
            for (long c = offset / entry.chunkSize(); c <= (offset + want - 1) / entry.chunkSize(); c++) {
                firstRead((int) c);
            }
            target.position(target.position() + want);
            return want;
        }
        int done = 0;
        while (done < want) {
            long position = offset + done;
            int index = (int) (position / entry.chunkSize());
            long inChunk = position - (long) index * entry.chunkSize();
            int length = (int) Math.min(want - done, entry.chunkLength(index) - inChunk);
            ByteBuffer slice = target.slice(target.position() + done, length);
            firstRead(index);
            if (ChunkTransfer.isZero(entry, index)) {
                slice.put(new byte[length]);
            } else {
                FileChannel chunk = pinned(index);
                int n = 0;
                while (slice.hasRemaining()) {
                    int r = chunk.read(slice, inChunk + n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                if (n != length) {
                    throw new IOException("chunk " + index + " of " + name + " in the chunk cache is short");
                }
            }
            done += length;
        }
        target.position(target.position() + done);
        return done;
    }

    private void firstRead(int index) {
        boolean first;
        synchronized (this) {
            first = !seen.get(index);
            seen.set(index);
        }
        if (first) {
            try {
                listener.firstRead(name, index);
            } catch (RuntimeException e) {
                // A listener's trouble must not fail the guest's read.
            }
        }
    }

    /** The open chunk file of chunk {@code index}, pinning (and on a miss fetching) it first. */
    private FileChannel pinned(int index) throws IOException, InterruptedException {
        String digest = entry.chunks().get(index);
        synchronized (this) {
            if (closed) {
                throw new IOException(name + " was closed");
            }
            FileChannel channel = open.get(index);
            if (channel != null) {
                return channel;
            }
        }
        boolean hit = cache.contains(digest);
        try {
            cache.pin(digest, entry.chunkLength(index), fetcher(index));
        } catch (StoreException e) {
            if (failure == null) {
                failure = e;
            }
            throw new IOException(e.getMessage(), e);
        }
        if (!hit && pages == PageSource.NONE) {
            prefetchAfter(index);
        }
        FileChannel channel;
        try {
            channel = cache.open(digest);
        } catch (IOException e) {
            cache.unpin(digest);
            throw e;
        }
        synchronized (this) {
            FileChannel other = open.get(index);
            if (other == null && !closed) {
                open.put(index, channel);
                pinned.set(index);
                return channel;
            }
            if (other != null) {
                cache.unpin(digest);
                closeQuietly(channel);
                return other;
            }
        }
        cache.unpin(digest);
        closeQuietly(channel);
        throw new IOException(name + " was closed");
    }

    /** Where memory is read in runs, the chunks after a miss are likely next: fetch them meanwhile. */
    private void prefetchAfter(int index) {
        int queued = 0;
        for (int i = index + 1; i < entry.chunks().size() && queued < PREFETCH; i++) {
            if (!ChunkTransfer.isZero(entry, i)) {
                cache.prefetch(entry.chunks().get(i), entry.chunkLength(i), fetcher(i));
                queued++;
            }
        }
    }

    private ChunkCache.Fetch fetcher(int index) {
        return f -> {
            AtomicLong mine = new AtomicLong();
            try {
                return source.fetch(index, mine);
            } finally {
                f.addAndGet(mine.get());
                fetched.addAndGet(mine.get());
            }
        };
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Only read from.
        }
    }

    /** Removes the file from the mount and unpins its chunks. */
    @Override
    public void close() {
        BitSet held;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            held = (BitSet) pinned.clone();
            pinned.clear();
            open.values().forEach(PresentedFile::closeQuietly);
            open.clear();
        }
        mount.remove(id);
        held.stream().forEach(i -> cache.unpin(entry.chunks().get(i)));
        pages.release();
    }
}
