package dev.thaw.snapshot.lazy;

import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.cache.DiskBudget;
import dev.thaw.snapshot.store.CorruptBundleException;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A node's cache of raw snapshot chunks, by the SHA-256 of their bytes, under a byte budget.
 *
 * <p>Only chunks verified against their digest get in: a fill writes into {@code staging/} and
 * renames into {@code data/<digest>}, so a crash leaves no half chunk under a digest's name, and the
 * directory is the index (it survives restarts; least recently used first, by modification time).
 * A chunk shared by several snapshots is stored once. Chunks in use (pinned by a presented file of
 * a running VM) are never evicted. Concurrent misses of one digest make one fetch (single flight),
 * and every wait for a fetch is bounded by a deadline. The budget may be shared with other caches
 * ({@link DiskBudget}): then all of them together stay within it.
 */
public final class ChunkCache implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ChunkCache.class.getName());
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    /** The name this cache's share goes by in its {@link DiskBudget}'s usage. */
    public static final String BUDGET_NAME = "chunks";

    /** Fetches one chunk's raw bytes, verified against its digest, adding the stored bytes read to {@code fetched}. */
    @FunctionalInterface
    public interface Fetch {
        byte[] fetch(AtomicLong fetched) throws StoreException;
    }

    /**
     * What the cache has done since it opened.
     *
     * @param fetchedBytes bytes the fetches read from the store (compressed), as the fetch reported them
     */
    public record Counters(long hits, long misses, long prefetches, long fetchedBytes, long verifyFailures,
            long evictions, long usedBytes, int chunks) {
    }

    private record Entry(long size, int pins) {
    }

    private final Path data;
    private final Path staging;
    private final DiskBudget budget;
    private final DiskBudget.Account account;
    private final Executor executor;
    private final Duration deadline;
    /** Access order: the first is the least recently used. Guarded by itself. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong prefetches = new AtomicLong();
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final AtomicLong verifyFailures = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    /** Bytes of stored chunks and of chunks being stored: what the budget account holds. Guarded by entries. */
    private long used;

    private ChunkCache(Path root, DiskBudget budget, Executor executor, Duration deadline) {
        this.data = root.resolve("data");
        this.staging = root.resolve("staging");
        this.budget = budget;
        this.executor = executor;
        this.deadline = deadline;
        this.account = budget.join(BUDGET_NAME, new DiskBudget.Holder() {
            @Override
            public long evictFor(long bytes) {
                return ChunkCache.this.evictFor(bytes);
            }

            @Override
            public long evictableBytes() {
                return ChunkCache.this.evictableBytes();
            }
        });
    }

    /**
     * Opens the cache in {@code root}, keeping the chunks already there (within the budget) and
     * removing half-written ones and anything not named by a digest.
     *
     * @param executor runs fetches, so that a reader's wait can be bounded by {@code deadline}
     * @param deadline the longest a read waits for one chunk's fetch
     */
    public static ChunkCache open(Path root, long budgetBytes, Executor executor, Duration deadline)
            throws IOException {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("chunk cache budget must be > 0 bytes, got " + budgetBytes);
        }
        return open(root, DiskBudget.of(budgetBytes), executor, deadline);
    }

    /**
     * As {@link #open(Path, long, Executor, Duration)}, within {@code budget}, which other caches may
     * share: the chunks found join the budget's use, and if it is exceeded the budget evicts (from
     * every cache on it, in its order) until it fits.
     */
    public static ChunkCache open(Path root, DiskBudget budget, Executor executor, Duration deadline)
            throws IOException {
        if (budget.limit() <= 0) {
            throw new IllegalArgumentException("chunk cache budget must be > 0 bytes, got " + budget.limit());
        }
        ChunkCache cache = new ChunkCache(root, budget, executor, deadline);
        try {
            cache.load();
        } catch (IOException | RuntimeException e) {
            budget.leave(cache.account);
            throw e;
        }
        budget.trim();
        return cache;
    }

    private void load() throws IOException {
        Files.createDirectories(data);
        Files.createDirectories(staging);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(staging)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(data)) {
            for (Path p : files) {
                if (DIGEST.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    found.add(p);
                } else {
                    LOG.log(Level.WARNING, "removing " + p + " from the chunk cache: not a chunk");
                    Files.deleteIfExists(p);
                }
            }
        }
        found.sort(Comparator.comparing(ChunkCache::modified));
        synchronized (entries) {
            for (Path p : found) {
                long size = Files.size(p);
                entries.put(p.getFileName().toString(), new Entry(size, 0));
                used += size;
                account.adopt(size);
            }
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** True when the chunk with {@code digest} is cached. */
    public boolean contains(String digest) {
        synchronized (entries) {
            return entries.containsKey(digest);
        }
    }

    /** Bytes of the chunks among {@code digests} that are cached (each distinct digest once). */
    public long presentBytes(Iterable<String> digests) {
        long bytes = 0;
        synchronized (entries) {
            Set<String> seen = new HashSet<>();
            for (String d : digests) {
                Entry e = entries.get(d);
                if (e != null && seen.add(d)) {
                    bytes += e.size();
                }
            }
        }
        return bytes;
    }

    /**
     * Bytes that unpinned entries and free room together could hold now, across every cache on the
     * budget: what is pinned or reserved anywhere on it is not available.
     */
    public long availableBytes() {
        return budget.availableBytes();
    }

    /**
     * Pins the chunk {@code digest} of {@code length} bytes, fetching it with {@code fetch} on a
     * miss. Each successful call must be matched by one {@link #unpin}.
     *
     * @throws StoreException if the fetch failed (the cause says why), or did not finish within the deadline
     */
    public void pin(String digest, int length, Fetch fetch) throws StoreException, InterruptedException {
        while (true) {
            synchronized (entries) {
                Entry e = entries.get(digest);
                if (e != null) {
                    entries.put(digest, new Entry(e.size(), e.pins() + 1));
                    hits.incrementAndGet();
                    return;
                }
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> fill = inFlight.putIfAbsent(digest, mine);
            if (fill == null) {
                fill = mine;
                misses.incrementAndGet();
                CompletableFuture<Void> started = mine;
                executor.execute(() -> fill(digest, length, fetch, started));
            }
            try {
                fill.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new StoreException("chunk " + digest + " was not fetched within " + deadline.toMillis() + " ms");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof StoreException s) {
                    throw s;
                }
                throw new StoreException("fetching chunk " + digest + " failed: " + cause, cause);
            }
            // Filled: pin it on the next pass (it may have been evicted meanwhile, then it is fetched again).
        }
    }

    /**
     * Starts fetching the chunk {@code digest} into the cache unless it is cached or being fetched;
     * does not wait and pins nothing (a later {@link #pin} finds it, or waits for it).
     */
    public void prefetch(String digest, int length, Fetch fetch) {
        if (contains(digest)) {
            return;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (inFlight.putIfAbsent(digest, mine) == null) {
            prefetches.incrementAndGet();
            executor.execute(() -> fill(digest, length, fetch, mine));
        }
    }

    /** Opens the pinned chunk {@code digest} for reading; the caller closes it. */
    public FileChannel open(String digest) throws IOException {
        return FileChannel.open(data.resolve(digest), StandardOpenOption.READ);
    }

    private void fill(String digest, int length, Fetch fetch, CompletableFuture<Void> done) {
        try {
            AtomicLong read = new AtomicLong();
            byte[] bytes;
            try {
                bytes = fetch.fetch(read);
            } finally {
                fetchedBytes.addAndGet(read.get());
            }
            if (bytes.length != length) {
                verifyFailures.incrementAndGet();
                throw new StoreException("chunk " + digest + " fetched as " + bytes.length + " bytes, expected "
                        + length);
            }
            store(digest, bytes);
            done.complete(null);
        } catch (StoreException e) {
            if (e instanceof CorruptBundleException) {
                verifyFailures.incrementAndGet();
            }
            done.completeExceptionally(e);
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(new StoreException("cannot store chunk " + digest + " in " + data + ": " + e,
                    e));
        } finally {
            inFlight.remove(digest, done);
        }
    }

    private void store(String digest, byte[] bytes) throws IOException, StoreException {
        // Reserved outside the lock: the budget may ask other caches, and this one, to evict.
        if (!account.reserve(bytes.length)) {
            throw new StoreException("no room for a chunk of " + bytes.length + " bytes: " + budget.describe()
                    + "; only unpinned entries can be evicted");
        }
        synchronized (entries) {
            used += bytes.length; // reserved; released below if the write fails
        }
        boolean stored = false;
        try {
            Path tmp = Files.createTempFile(staging, digest, ".part");
            try {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
                try {
                    Files.move(tmp, data.resolve(digest), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, data.resolve(digest), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            stored = true;
        } finally {
            synchronized (entries) {
                if (stored) {
                    Entry had = entries.put(digest, new Entry(bytes.length, 0));
                    if (had != null) {
                        // two fills of one digest overlapped: the file was replaced, so count it once and keep its pins
                        entries.put(digest, new Entry(bytes.length, had.pins()));
                        used -= had.size();
                        account.release(had.size());
                    }
                } else {
                    used -= bytes.length;
                    account.release(bytes.length);
                }
            }
        }
    }

    /** For the budget: evicts least recently used unpinned chunks until {@code bytes} are freed; returns the bytes freed. */
    private long evictFor(long bytes) {
        long freed = 0;
        synchronized (entries) {
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while (freed < bytes && it.hasNext()) {
                Map.Entry<String, Entry> e = it.next();
                if (e.getValue().pins() > 0) {
                    continue;
                }
                try {
                    Files.deleteIfExists(data.resolve(e.getKey()));
                } catch (IOException ex) {
                    LOG.log(Level.WARNING, "cannot delete chunk " + e.getKey() + ": " + ex);
                    continue;
                }
                used -= e.getValue().size();
                freed += e.getValue().size();
                it.remove();
                evictions.incrementAndGet();
            }
            account.release(freed);
        }
        return freed;
    }

    /** Bytes of unpinned chunks, which eviction could free. */
    private long evictableBytes() {
        synchronized (entries) {
            long evictable = 0;
            for (Entry e : entries.values()) {
                if (e.pins() == 0) {
                    evictable += e.size();
                }
            }
            return evictable;
        }
    }

    /** Releases one pin taken by {@link #pin}. */
    public void unpin(String digest) {
        synchronized (entries) {
            Entry e = entries.get(digest);
            if (e != null && e.pins() > 0) {
                entries.put(digest, new Entry(e.size(), e.pins() - 1));
            }
        }
    }

    /** Drops the unpinned chunks among {@code digests}; returns how many were dropped. */
    public int evict(Iterable<String> digests) {
        int dropped = 0;
        synchronized (entries) {
            for (String d : digests) {
                Entry e = entries.get(d);
                if (e != null && e.pins() == 0) {
                    try {
                        Files.deleteIfExists(data.resolve(d));
                    } catch (IOException ex) {
                        continue;
                    }
                    entries.remove(d);
                    used -= e.size();
                    account.release(e.size());
                    dropped++;
                }
            }
        }
        return dropped;
    }

    /**
     * Reads bytes of the pinned chunk {@code digest} from {@code offset} into {@code target}
     * until it is full or the chunk ends; returns the bytes read.
     */
    public int read(String digest, long offset, ByteBuffer target) throws IOException {
        int read = 0;
        try (FileChannel in = FileChannel.open(data.resolve(digest), StandardOpenOption.READ)) {
            while (target.hasRemaining()) {
                int n = in.read(target, offset + read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        }
        return read;
    }

    /** Counts a chunk that failed verification somewhere other than a fill (a caller's own check). */
    public void countVerifyFailure() {
        verifyFailures.incrementAndGet();
    }

    public Counters counters() {
        synchronized (entries) {
            return new Counters(hits.get(), misses.get(), prefetches.get(), fetchedBytes.get(), verifyFailures.get(), evictions.get(),
                    used, entries.size());
        }
    }

    /** The cached chunks' digests among the non-zero chunks of {@code entry}; for tests and reports. */
    public List<String> cachedChunks(FileEntry entry) {
        List<String> cached = new ArrayList<>();
        synchronized (entries) {
            for (String d : entry.chunks()) {
                if (entries.containsKey(d)) {
                    cached.add(d);
                }
            }
        }
        return cached;
    }

    /** Where the chunk {@code digest} is stored, if it is. */
    public Optional<Path> file(String digest) {
        return contains(digest) ? Optional.of(data.resolve(digest)) : Optional.empty();
    }

    /** The budget this cache shares. */
    public DiskBudget budget() {
        return budget;
    }

    /** Takes the cache off its budget. Chunks stay on disk for the next start; fetches in flight finish on the executor. */
    @Override
    public void close() {
        budget.leave(account);
    }
}
