package dev.thaw.snapshot.lazy;

import dev.thaw.api.SnapshotInfo.FileEntry;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.cryptomator.jfuse.api.Errno;
import org.cryptomator.jfuse.api.FileInfo;
import org.cryptomator.jfuse.api.Fuse;
import org.cryptomator.jfuse.api.FuseBuilder;
import org.cryptomator.jfuse.api.FuseConfig;
import org.cryptomator.jfuse.api.FuseConnInfo;
import org.cryptomator.jfuse.api.FuseMountFailedException;
import org.cryptomator.jfuse.api.FuseOperations;
import org.cryptomator.jfuse.api.Stat;

/**
 * A FUSE file system, served by this process, that shows snapshot files ({@link PresentedFile})
 * read-only and flat under one directory, so that a VMM can map guest memory from a file whose
 * chunks arrive on first touch.
 *
 * <p>The kernel keeps what it read in its page cache ({@code kernel_cache}, no direct I/O), so
 * clones mapping one presented file share its pages and each page is asked for once. The mount
 * lets other users in ({@code allow_other}: the VMMs run as users of their own) under the usual
 * permission checks ({@code default_permissions}); its directory is the node's alone, so only a VMM
 * that had a file bind-mounted for it reaches one. Files are mode 0666 because QEMU opens a memory
 * file read-write even when it maps it privately; writes are refused.
 *
 * <p>A mount left by a process that died is detached before mounting again, and {@link #close}
 * detaches the mount even while files on it are still mapped.
 */
public final class LazyMount implements AutoCloseable {
    private static final Logger LOG = System.getLogger(LazyMount.class.getName());
    /** Where Debian (and most distributions) put libfuse 3. */
    private static final String LIBFUSE = "/usr/lib/x86_64-linux-gnu/libfuse3.so.3";
    /**
     * No readahead: a page fault reads the faulting page only. Measured on examples/hello with page
     * packs: at 1 MiB the early faults read around, the pack held 8.2 MiB and a remote start fetched
     * 67 % of the snapshot; at 0 the pack holds 2.0 MiB and a start fetches 15 % (docs/benchmarks.md).
     */
    private static final int READAHEAD = 0;

    private final Path mountPoint;
    private final ChunkCache cache;
    private final Map<String, PresentedFile> files = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong readFailures = new AtomicLong();
    private Fuse fuse;

    private LazyMount(Path mountPoint, ChunkCache cache) {
        this.mountPoint = mountPoint;
        this.cache = cache;
    }

    /**
     * Mounts an empty file system at {@code mountPoint} (created if missing; a stale mount there is
     * detached first).
     *
     * @throws IOException if FUSE is not available here ({@code /dev/fuse} missing, libfuse 3 missing, no
     *     right to mount): callers fetch snapshots whole instead
     */
    public static LazyMount mount(Path mountPoint, ChunkCache cache) throws IOException {
        Path dir = mountPoint.toAbsolutePath().normalize();
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new IOException("/dev/fuse is missing");
        }
        if (!Files.exists(Path.of(LIBFUSE))) {
            throw new IOException(LIBFUSE + " is missing (install libfuse3-3)");
        }
        int stale = Unmount.detachAll(dir);
        if (stale > 0) {
            LOG.log(Level.INFO, "detached " + stale + " stale mount(s) at " + dir);
        }
        Files.createDirectories(dir);
        LazyMount mount = new LazyMount(dir, cache);
        FuseBuilder builder;
        try {
            builder = Fuse.builder();
        } catch (UnsupportedOperationException e) {
            throw new IOException("FUSE is not supported on this platform: " + e.getMessage(), e);
        }
        builder.setLibraryPath(LIBFUSE);
        try {
            mount.fuse = builder.build(mount.new Operations(builder.errno()));
            mount.fuse.mount("thaw-lazy", dir, "-o",
                    "allow_other,default_permissions,kernel_cache,fsname=thaw-lazy,subtype=thaw");
        } catch (FuseMountFailedException | UnsatisfiedLinkError | IllegalArgumentException e) {
            mount.close();
            throw new IOException("cannot mount a FUSE file system at " + dir + ": " + e.getMessage(), e);
        }
        return mount;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    ChunkCache cache() {
        return cache;
    }

    /** Reads that failed (and answered EIO) since the mount. */
    public long readFailures() {
        return readFailures.get();
    }

    /**
     * Shows {@code entry} (the file {@code name} of a snapshot) as a new read-only file whose chunks
     * come from the cache, or from {@code source} on a miss.
     */
    public PresentedFile present(String name, FileEntry entry, PresentedFile.ChunkSource source,
            ChunkAccessListener listener) {
        String id = name + "-" + ids.incrementAndGet();
        PresentedFile file = new PresentedFile(this, id, name, entry, source, listener);
        files.put(id, file);
        return file;
    }

    /**
     * As {@link #present(String, FileEntry, PresentedFile.ChunkSource, ChunkAccessListener)}, with
     * {@code pages} consulted before the chunks; it is released when the file is closed.
     */
    public PresentedFile present(String name, FileEntry entry, PresentedFile.ChunkSource source,
            ChunkAccessListener listener, PageSource pages) {
        String id = name + "-" + ids.incrementAndGet();
        PresentedFile file = new PresentedFile(this, id, name, entry, source, listener, pages);
        files.put(id, file);
        return file;
    }

    void remove(String id) {
        files.remove(id);
    }

    /** Unmounts (detaching, if VMMs still map files). Presented files read EIO afterwards. */
    @Override
    public void close() {
        if (fuse != null) {
            try {
                fuse.close();
            } catch (TimeoutException | RuntimeException e) {
                LOG.log(Level.WARNING, "unmounting " + mountPoint + ": " + e);
            }
            fuse = null;
        }
        try {
            Unmount.detachAll(mountPoint);
        } catch (IOException e) {
            LOG.log(Level.WARNING, e.getMessage());
        }
    }

    private final class Operations implements FuseOperations {
        private final Errno errno;

        Operations(Errno errno) {
            this.errno = errno;
        }

        @Override
        public Errno errno() {
            return errno;
        }

        @Override
        public Set<Operation> supportedOperations() {
            // No directory listing: nothing lists it, and jfuse 0.7's readdir crashes with libfuse 3.14.
            return EnumSet.of(Operation.INIT, Operation.GET_ATTR, Operation.OPEN, Operation.READ, Operation.RELEASE,
                    Operation.WRITE, Operation.TRUNCATE);
        }

        /**
         * Without readahead, the reads the file system sees are the pages the guest touches: what a
         * working set's page pack records, and no whole chunk is pulled for pages nobody reads.
         */
        @Override
        public void init(FuseConnInfo conn, FuseConfig config) {
            conn.setMaxReadahead(READAHEAD);
        }

        private PresentedFile file(String path) {
            return path.length() > 1 ? files.get(path.substring(1)) : null;
        }

        @Override
        public int getattr(String path, Stat stat, FileInfo fi) {
            if (path.equals("/")) {
                stat.setMode(Stat.S_IFDIR | 0555);
                stat.setNLink((short) 2);
                return 0;
            }
            PresentedFile file = file(path);
            if (file == null) {
                return -errno.enoent();
            }
            stat.setMode(Stat.S_IFREG | 0666);
            stat.setNLink((short) 1);
            stat.setSize(file.size());
            return 0;
        }

        @Override
        public int open(String path, FileInfo fi) {
            return file(path) == null ? -errno.enoent() : 0;
        }

        @Override
        public int read(String path, ByteBuffer buf, long count, long offset, FileInfo fi) {
            PresentedFile file = file(path);
            if (file == null) {
                return -errno.enoent();
            }
            try {
                ByteBuffer target = buf.slice(buf.position(), (int) Math.min(count, buf.remaining()));
                return file.read(target, offset);
            } catch (IOException e) {
                readFailures.incrementAndGet();
                LOG.log(Level.WARNING, "read of " + file.name() + " at " + offset + " failed: " + e.getMessage());
                return -errno.eio();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -errno.eio();
            } catch (RuntimeException e) {
                readFailures.incrementAndGet();
                LOG.log(Level.WARNING, "read of " + file.name() + " at " + offset + " failed: " + e);
                return -errno.eio();
            }
        }

        @Override
        public int write(String path, ByteBuffer buf, long count, long offset, FileInfo fi) {
            return -errno.erofs();
        }

        @Override
        public int truncate(String path, long size, FileInfo fi) {
            return -errno.erofs();
        }

        @Override
        public int release(String path, FileInfo fi) {
            return 0;
        }
    }
}
