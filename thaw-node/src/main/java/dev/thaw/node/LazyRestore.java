package dev.thaw.node;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.snapshot.lazy.ChunkAccessListener;
import dev.thaw.snapshot.cache.DiskBudget;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.lazy.LazyMount;
import dev.thaw.snapshot.lazy.PageSource;
import dev.thaw.snapshot.lazy.PresentedFile;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Remote starts that restore at once: the snapshot's device state is fetched eagerly (it is small),
 * and its memory file is presented on a FUSE mount ({@link LazyMount}) whose chunks come from the
 * node's {@link ChunkCache}, fetched from the store and verified on first touch. The guest never
 * runs on a byte that was not verified: a chunk that cannot be had makes the read fail (EIO), the
 * VMM dies, and the start falls back to a boot.
 *
 * <p>Owns the chunk cache ({@code chunks/} in the node's work directory), the mount
 * ({@code lazy/}) and the executor that fetches chunks. Where FUSE is not available, {@link #open}
 * says why and the node fetches snapshots whole, as before.
 */
final class LazyRestore implements AutoCloseable {
    private static final Logger LOG = System.getLogger(LazyRestore.class.getName());
    /** The longest a guest's read waits for one chunk; past it the read fails and the start falls back. */
    static final Duration CHUNK_DEADLINE = Duration.ofSeconds(20);

    private final ChunkCache chunks;
    private final LazyMount mount;
    private final ExecutorService fetchers;
    private final Path scratch;
    private final SandboxDriver driver;
    private volatile Function<SnapshotInfo, ChunkAccessListener> listeners = info -> ChunkAccessListener.NONE;
    final AtomicLong lazyStarts = new AtomicLong();
    final AtomicLong faults = new AtomicLong();

    private LazyRestore(ChunkCache chunks, LazyMount mount, ExecutorService fetchers, Path scratch,
            SandboxDriver driver) {
        this.chunks = chunks;
        this.mount = mount;
        this.fetchers = fetchers;
        this.scratch = scratch;
        this.driver = driver;
    }

    /**
     * Opens the chunk cache in {@code workDir/chunks}, within {@code budget} (which the node's other
     * caches share), and mounts {@code workDir/lazy}.
     *
     * @throws IOException if either cannot be had (no FUSE here): the caller fetches whole snapshots
     */
    static LazyRestore open(Path workDir, DiskBudget budget, Path scratch, SandboxDriver driver)
            throws IOException {
        ExecutorService fetchers = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("chunk-fetch-", 0).factory());
        ChunkCache chunks = null;
        try {
            chunks = ChunkCache.open(workDir.resolve("chunks"), budget, fetchers, CHUNK_DEADLINE);
            LazyMount mount = LazyMount.mount(workDir.resolve("lazy"), chunks);
            return new LazyRestore(chunks, mount, fetchers, scratch, driver);
        } catch (IOException | RuntimeException | LinkageError e) {
            if (chunks != null) {
                chunks.close();
            }
            fetchers.shutdownNow();
            throw e instanceof IOException io ? io : new IOException(e.toString(), e);
        }
    }

    ChunkCache chunks() {
        return chunks;
    }

    /** The node's FUSE mount, where images are presented too ({@link LazyImages}). */
    LazyMount mount() {
        return mount;
    }

    /** Gives each presented memory file a listener for its first reads, chosen by its snapshot. */
    void setListeners(Function<SnapshotInfo, ChunkAccessListener> listeners) {
        this.listeners = listeners;
    }

    /** True when the distinct non-zero chunks of {@code info} fit beside the pinned ones. */
    boolean fits(SnapshotInfo info) {
        long need = 0;
        for (FileEntry entry : info.files().values()) {
            for (int i = 0; i < entry.chunks().size(); i++) {
                if (!ChunkTransfer.isZero(entry, i)) {
                    need += entry.chunkLength(i);
                }
            }
        }
        return need <= chunks.availableBytes();
    }

    /**
     * Makes a snapshot directory for one instance: {@code info.json}, the device state fetched and
     * verified, and {@code mem} linking to a presented file. Closing it removes all three.
     */
    Lazy prepare(SnapshotStore remote, SnapshotInfo info) throws StoreException, IOException, InterruptedException {
        return prepare(remote, info, () -> PageSource.NONE);
    }

    /**
     * As {@link #prepare(SnapshotStore, SnapshotInfo)}, the memory file serving first what
     * {@code pages} gives. {@code pages} is asked once the device state is here (so that it can be
     * found meanwhile), and not at all if fetching that fails; what it gave is released when the
     * memory file is closed, or at once if presenting it fails.
     */
    Lazy prepare(SnapshotStore remote, SnapshotInfo info, Supplier<PageSource> pages)
            throws StoreException, IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path dir = Files.createTempDirectory(scratch, "lazy-");
        PresentedFile memory = null;
        PageSource pageSource = null;
        AtomicLong eager = new AtomicLong();
        try {
            info.write(dir.resolve(SnapshotInfo.FILE_NAME));
            FileEntry state = info.files().get(LocalSnapshot.DEVICE_STATE);
            try (FileChannel out = FileChannel.open(dir.resolve(LocalSnapshot.DEVICE_STATE),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int i = 0; i < state.chunks().size(); i++) {
                    byte[] bytes = ChunkTransfer.isZero(state, i) ? new byte[state.chunkLength(i)]
                            : deviceStateChunk(remote, info, state, i, eager);
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    long position = (long) i * state.chunkSize();
                    while (buffer.hasRemaining()) {
                        out.write(buffer, position + buffer.position());
                    }
                }
            }
            FileEntry mem = info.files().get(LocalSnapshot.MEMORY);
            pageSource = pages.get();
            ChunkAccessListener told = listeners.apply(info);
            memory = mount.present(LocalSnapshot.MEMORY, mem,
                    (index, fetched) -> remote.fetchChunk(info, LocalSnapshot.MEMORY, index, fetched), told,
                    pageSource);
            Files.createSymbolicLink(dir.resolve(LocalSnapshot.MEMORY), memory.path());
            lazyStarts.incrementAndGet();
            return new Lazy(dir, memory, eager.get());
        } catch (StoreException | IOException | RuntimeException e) {
            if (memory != null) {
                memory.close();
            } else if (pageSource != null) {
                pageSource.release();
            }
            FileTrees.deleteQuietly(dir);
            throw e;
        }
    }

    /**
     * One chunk of the device state, through the chunk cache: every start of the revision needs it
     * first, so a node that restored it serves it to the next nodes of a burst from there.
     */
    private byte[] deviceStateChunk(SnapshotStore remote, SnapshotInfo info, FileEntry state, int index,
            AtomicLong eager) throws StoreException, IOException, InterruptedException {
        String digest = state.chunks().get(index);
        int length = state.chunkLength(index);
        chunks.pin(digest, length, fetched -> {
            AtomicLong read = new AtomicLong();
            try {
                return remote.fetchChunk(info, LocalSnapshot.DEVICE_STATE, index, read);
            } finally {
                fetched.addAndGet(read.get());
                eager.addAndGet(read.get());
            }
        });
        try (FileChannel in = chunks.open(digest)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (in.read(buffer, buffer.position()) < 0) {
                    throw new IOException("cached chunk " + digest + " ends at " + buffer.position() + " of "
                            + length + " bytes");
                }
            }
            return buffer.array();
        } finally {
            chunks.unpin(digest);
        }
    }

    /** Counts a lazy start that failed once its VMM ran; returns the read failure that killed it, if any. */
    Optional<StoreException> fault(Lazy lazy) {
        faults.incrementAndGet();
        return lazy.memory.failure();
    }

    /** One instance's lazily fetched snapshot directory. */
    final class Lazy implements Held {
        private final Path dir;
        private final PresentedFile memory;
        private final long eagerBytes;

        private Lazy(Path dir, PresentedFile memory, long eagerBytes) {
            this.dir = dir;
            this.memory = memory;
            this.eagerBytes = eagerBytes;
        }

        @Override
        public Path dir() {
            return dir;
        }

        @Override
        public boolean lazy() {
            return true;
        }

        /** Store bytes fetched for this instance so far: the device state, then memory chunks on first touch. */
        @Override
        public long fetchedBytes() {
            return eagerBytes + memory.fetchedBytes();
        }

        PresentedFile memory() {
            return memory;
        }

        @Override
        public void close() {
            driver.forget(dir);
            memory.close();
            FileTrees.deleteQuietly(dir);
        }
    }

    /** Unmounts (VMMs still mapping files then read EIO) and stops fetching. */
    @Override
    public void close() {
        mount.close();
        fetchers.shutdownNow();
        chunks.close();
    }

    /** Logs why lazy restore is off on this node. */
    static void logUnavailable(String node, Exception why) {
        LOG.log(Level.WARNING, "node " + node + ": lazy snapshot restore unavailable (" + why.getMessage()
                + "); remote starts fetch whole snapshots");
    }

}
