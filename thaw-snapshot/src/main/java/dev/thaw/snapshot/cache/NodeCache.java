package dev.thaw.snapshot.cache;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A worker node's bounded on-disk cache of snapshot and image directories.
 *
 * <p>Each entry is the directory {@code <root>/<key>}, made in a staging area by a {@link Filler}
 * and renamed into place together with a marker file, so an entry is either whole or absent, and
 * the index can be rebuilt from disk when the cache is opened again. When a new entry needs room,
 * entries without open {@link Lease}s are evicted in the order of the {@link EvictionPolicy}
 * (least recently used first by default); the bytes of committed
 * entries plus the bytes reserved by fills in progress never exceed the budget. The budget may be
 * shared with other caches ({@link DiskBudget}): then all of them together stay within it, and a
 * fill that needs room may make them evict too.
 *
 * <p>Thread-safe. One lock guards the index; fillers run and trees are deleted outside it, and
 * concurrent acquires of one key share a single fill.
 */
public final class NodeCache implements AutoCloseable {

    private static final Logger LOG = System.getLogger(NodeCache.class.getName());
    private static final String STAGING = ".staging";
    /** The name this cache's share goes by in its {@link DiskBudget}'s usage. */
    public static final String BUDGET_NAME = "snapshots and images";

    private final Path root;
    private final Path staging;
    private final DiskBudget budget;
    private final DiskBudget.Account account;
    private final EvictionPolicy policy;
    private final EventQueue events = new EventQueue();

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    /** Committed, listed entries, least recently used first. */
    private final LinkedHashMap<String, StoredEntry> index = new LinkedHashMap<>();
    private final Map<String, Fill> fills = new HashMap<>();
    /** Removed entries whose files stay until their last lease closes; they still use disk. */
    private final Map<String, StoredEntry> removedInUse = new HashMap<>();
    /** Bytes of committed entries on disk; with {@code reserved}, what the budget account holds. */
    private long used;
    private long reserved;
    private long hits;
    private long misses;
    private long evictions;
    private long fillCount;
    private long failedFills;
    private long coalesced;
    private long bytesFetched;
    private long retired;
    private Instant lastStamp = Instant.EPOCH;
    private boolean closed;

    private NodeCache(Path root, Path staging, DiskBudget budget, EvictionPolicy policy) {
        this.root = root;
        this.staging = staging;
        this.budget = budget;
        this.policy = policy;
        this.account = budget.join(BUDGET_NAME, new DiskBudget.Holder() {
            @Override
            public long evictFor(long bytes) {
                return NodeCache.this.evictFor(bytes);
            }

            @Override
            public long evictableBytes() {
                return NodeCache.this.evictableBytes();
            }
        });
    }

    /**
     * Opens the cache under {@code root} (created if missing), rebuilding its index from the entries
     * found there and removing what an interrupted run left half-written. If the entries found
     * exceed {@code budgetBytes}, the least recently used are evicted until they fit.
     */
    public static NodeCache open(Path root, long budgetBytes) throws IOException {
        return open(root, budgetBytes, new EvictionPolicy.Lru());
    }

    /** As {@link #open(Path, long)}, evicting in the order {@code policy} gives. */
    public static NodeCache open(Path root, long budgetBytes, EvictionPolicy policy) throws IOException {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("node cache budget must be 0 bytes or more, got " + budgetBytes);
        }
        return open(root, DiskBudget.of(budgetBytes), policy);
    }

    /**
     * As {@link #open(Path, long, EvictionPolicy)}, within {@code budget}, which other caches may share:
     * the entries found join the budget's use, and if it is exceeded the budget evicts (from every
     * cache on it, in its order) until it fits.
     */
    public static NodeCache open(Path root, DiskBudget budget, EvictionPolicy policy) throws IOException {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(budget, "budget");
        Path absolute = root.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        Path staging = absolute.resolve(STAGING);
        List<DiskScan.Found> found = DiskScan.scan(absolute, staging);
        Files.createDirectories(staging);
        NodeCache cache = new NodeCache(absolute, staging, budget, policy);
        cache.adopt(found);
        // Nothing is pinned yet, so this fits unless other caches on the budget pin too much.
        budget.trim();
        return cache;
    }

    private void adopt(List<DiskScan.Found> found) {
        synchronized (lock) {
            for (DiskScan.Found entry : found) {
                index.put(entry.key(), new StoredEntry(entry.key(), entry.dir(), entry.bytes(), entry.lastUse()));
                policy.used(entry.key(), entry.bytes());
                used += entry.bytes();
                account.adopt(entry.bytes());
                if (entry.lastUse().isAfter(lastStamp)) {
                    lastStamp = entry.lastUse();
                }
            }
        }
    }

    /**
     * Returns a lease on {@code key}, filling the entry with {@code filler} if it is not cached.
     * If another caller is filling the same key, this waits for that fill and shares its outcome.
     *
     * @param bytes the entry's size, reserved from the budget before the fill starts
     * @throws CacheException if the entry cannot fit (larger than the budget, or open leases pin
     *     too much of it), or filling it failed; a failed fill leaves nothing behind
     * @throws IllegalArgumentException if the key is invalid or nests inside another entry's
     *     directory (or another entry nests in its), or {@code bytes} is negative
     * @throws IllegalStateException if the cache is closed
     */
    public Lease acquire(String key, long bytes, Filler filler) throws CacheException, InterruptedException {
        CacheKeys.check(key);
        if (bytes < 0) {
            throw new IllegalArgumentException("entry size must be 0 bytes or more, got " + bytes + " for " + key);
        }
        Objects.requireNonNull(filler, "filler");
        boolean waited = false;
        while (true) {
            Fill fill;
            boolean mine;
            synchronized (lock) {
                // A caller that waited for a fill gets its entry even if the cache closed meanwhile,
                // like the caller that ran the fill.
                if (!waited) {
                    ensureOpen();
                }
                StoredEntry entry = index.get(key);
                if (entry != null) {
                    if (waited) {
                        coalesced++;
                    } else {
                        hits++;
                    }
                    return pin(entry);
                }
                fill = fills.get(key);
                mine = fill == null;
                if (fill != null) {
                    fill.waiters++;
                } else {
                    ensureOpen();
                    startFill(key, bytes);
                    fill = new Fill();
                    fills.put(key, fill);
                }
            }
            if (mine) {
                // Room is made outside the lock: the budget may ask other caches, and this one, to evict.
                reserve(key, bytes, fill);
                return runFill(key, bytes, filler, fill);
            }
            try {
                fill.await();
            } finally {
                synchronized (lock) {
                    fill.waiters--;
                }
            }
            // The fill committed; take a lease on its entry (or fill again if it vanished meanwhile).
            waited = true;
        }
    }

    /** Checks that {@code key} can be filled at all. */
    private void startFill(String key, long bytes) throws CacheException {
        checkNesting(key);
        misses++;
        StoredEntry removed = removedInUse.get(key);
        if (removed != null) {
            throw new CacheException("cannot cache " + key + " again yet: it was removed but " + removed.pins
                    + " open lease(s) still use its files; it can be filled once they close");
        }
        if (bytes > budget.limit()) {
            throw new CacheException("cache entry " + key + " needs " + bytes
                    + " bytes but the node cache budget is " + budget.limit() + " bytes");
        }
    }

    /**
     * Reserves the fill's bytes from the budget, evicting what it takes; if they cannot fit, fails the
     * fill (and its waiters) and throws. Called without the lock.
     */
    private void reserve(String key, long bytes, Fill fill) throws CacheException {
        boolean room;
        try {
            room = account.reserve(bytes);
        } catch (RuntimeException e) {
            // (closed meanwhile, for one) the fill's waiters must not wait for it forever
            synchronized (lock) {
                fills.remove(key);
            }
            fill.failed(new CacheException("cannot cache " + key + ": " + e.getMessage(), e));
            throw e;
        }
        if (room) {
            synchronized (lock) {
                reserved += bytes;
            }
            return;
        }
        String held;
        synchronized (lock) {
            held = pinnedBytes() + " bytes are pinned by open leases and " + reserved
                    + " bytes are reserved by fills in progress";
            fills.remove(key);
        }
        CacheException failure = new CacheException("no room for cache entry " + key + " (" + bytes
                + " bytes) in a budget of " + budget.limit() + " bytes: " + held + "; only unpinned entries can"
                + " be evicted (" + budget.describe() + ")");
        fill.failed(failure);
        throw failure;
    }

    private void checkNesting(String key) {
        List<String> others = new ArrayList<>(index.keySet());
        others.addAll(fills.keySet());
        others.addAll(removedInUse.keySet());
        for (String other : others) {
            if (CacheKeys.nested(key, other)) {
                throw new IllegalArgumentException("cache key " + key + " and existing entry " + other
                        + " would nest one directory inside the other");
            }
        }
    }

    private long pinnedBytes() {
        long pinned = 0;
        for (StoredEntry entry : index.values()) {
            if (entry.pins > 0) {
                pinned += entry.bytes;
            }
        }
        for (StoredEntry entry : removedInUse.values()) {
            pinned += entry.bytes;
        }
        return pinned;
    }

    /** Bytes of unpinned committed entries, which eviction could free. */
    private long evictableBytes() {
        synchronized (lock) {
            long evictable = 0;
            for (StoredEntry entry : index.values()) {
                if (entry.pins == 0) {
                    evictable += entry.bytes;
                }
            }
            return evictable;
        }
    }

    /** For the budget: evicts until {@code bytes} are freed or nothing unpinned is left; returns the bytes freed. */
    private long evictFor(long bytes) {
        List<Path> trash = new ArrayList<>();
        long freed;
        synchronized (lock) {
            long before = used;
            evict(bytes, trash);
            freed = before - used;
            account.release(freed);
        }
        events.deliver();
        trash.forEach(Trees::deleteQuietly);
        return freed;
    }

    /**
     * Evicts unpinned entries, lowest policy priority first (ties: least recently used), until
     * {@code bytes} are freed, adding their trees to {@code trash}.
     */
    private void evict(long bytes, List<Path> trash) {
        long target = used - bytes;
        // The index is in recency order and the sort is stable, so equal priorities go least recently used first.
        List<StoredEntry> order = new ArrayList<>();
        for (StoredEntry entry : index.values()) {
            if (entry.pins == 0) {
                order.add(entry);
            }
        }
        order.sort(java.util.Comparator.comparingDouble(e -> policy.priority(e.key, e.bytes)));
        for (StoredEntry entry : order) {
            if (used <= target) {
                break;
            }
            index.remove(entry.key);
            policy.removed(entry.key, entry.bytes, true);
            used -= entry.bytes;
            evictions++;
            events.queue(CacheEvent.Kind.REMOVED, entry);
            retire(entry).ifPresent(trash::add);
        }
    }

    private Lease runFill(String key, long bytes, Filler filler, Fill fill) throws CacheException {
        Path dir = root.resolve(key);
        Path stagingDir = null;
        long fetched;
        try {
            stagingDir = Files.createTempDirectory(staging, "fill-");
            fetched = filler.fill(stagingDir);
            new EntryMarker(key, bytes, Instant.now()).writeTo(stagingDir);
            Files.createDirectories(dir.getParent());
            Files.move(stagingDir, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | CacheException | RuntimeException e) {
            // an interrupted channel's exception has no message: name its type then
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            CacheException failure = new CacheException("filling cache entry " + key + " failed: " + reason, e);
            fillFailed(key, bytes, fill, stagingDir, failure);
            throw failure;
        } catch (Error e) {
            fillFailed(key, bytes, fill, stagingDir, new CacheException("filling cache entry " + key + " failed: " + e, e));
            throw e;
        }
        Lease lease;
        synchronized (lock) {
            reserved -= bytes;
            fills.remove(key);
            fillCount++;
            bytesFetched += Math.max(0, fetched);
            StoredEntry entry = new StoredEntry(key, dir, bytes, Instant.EPOCH);
            index.put(key, entry);
            used += bytes;
            lease = pin(entry);
            events.queue(CacheEvent.Kind.ADDED, entry);
        }
        fill.succeeded();
        events.deliver();
        return lease;
    }

    private void fillFailed(String key, long bytes, Fill fill, Path stagingDir, CacheException failure) {
        if (stagingDir != null) {
            Trees.deleteQuietly(stagingDir);
        }
        synchronized (lock) {
            reserved -= bytes;
            account.release(bytes);
            fills.remove(key);
            failedFills++;
        }
        fill.failed(failure);
    }

    /**
     * A lease on {@code key} if it is cached; never fills, evicts or waits for a fill in progress.
     * A miss changes nothing.
     */
    public Optional<Lease> lookup(String key) {
        CacheKeys.check(key);
        synchronized (lock) {
            ensureOpen();
            StoredEntry entry = index.get(key);
            if (entry == null) {
                return Optional.empty();
            }
            hits++;
            return Optional.of(pin(entry));
        }
    }

    /** Whether {@code key} is cached. Changes nothing: no last-use update, no counters. */
    public boolean contains(String key) {
        CacheKeys.check(key);
        synchronized (lock) {
            ensureOpen();
            return index.containsKey(key);
        }
    }

    /**
     * Drops {@code key} from the cache at once (it is no longer listed, contained or leased); its
     * files are deleted now if no lease is open, else when the last one closes. A fill of the key
     * in progress is not affected. Removing an absent key does nothing.
     */
    public void remove(String key) {
        CacheKeys.check(key);
        Optional<Path> trash = Optional.empty();
        synchronized (lock) {
            ensureOpen();
            StoredEntry entry = index.remove(key);
            if (entry == null) {
                return;
            }
            policy.removed(key, entry.bytes, false);
            entry.removed = true;
            events.queue(CacheEvent.Kind.REMOVED, entry);
            if (entry.pins == 0) {
                used -= entry.bytes;
                account.release(entry.bytes);
                trash = retire(entry);
            } else {
                removedInUse.put(key, entry);
            }
        }
        events.deliver();
        trash.ifPresent(Trees::deleteQuietly);
    }

    /** Called by {@link Lease#close()}. */
    void release(StoredEntry entry) {
        Optional<Path> trash = Optional.empty();
        synchronized (lock) {
            entry.pins--;
            if (entry.pins == 0 && entry.removed) {
                removedInUse.remove(entry.key);
                used -= entry.bytes;
                account.release(entry.bytes);
                trash = retire(entry);
            }
        }
        trash.ifPresent(Trees::deleteQuietly);
    }

    public CacheStats stats() {
        synchronized (lock) {
            ensureOpen();
            return new CacheStats(hits, misses, evictions, fillCount, failedFills, coalesced, bytesFetched,
                    used, reserved, budget.limit(), index.size());
        }
    }

    /** The listed entries, most recently used first. */
    public List<CacheEntry> entries() {
        synchronized (lock) {
            ensureOpen();
            return index.sequencedValues().reversed().stream().map(StoredEntry::view).toList();
        }
    }

    /**
     * Adds a listener for entries being added and removed. It first receives ADDED for every entry
     * listed now, so it never misses one. Listeners are called outside the cache's lock, one event
     * at a time in the order the changes happened, on whichever thread made or observed the change.
     */
    public void addListener(Consumer<CacheEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            ensureOpen();
            events.add(listener);
            for (StoredEntry entry : index.values()) {
                events.queue(CacheEvent.Kind.ADDED, entry, listener);
            }
        }
        events.deliver();
    }

    public Path root() {
        return root;
    }

    /**
     * Marks the cache closed and takes it off its budget; later calls on it throw IllegalStateException.
     * Waits for nothing: fills in progress still commit, and open leases can still be closed.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        budget.leave(account);
    }

    /** How many callers wait for the fill of {@code key} in progress; for tests. */
    int waitingFor(String key) {
        synchronized (lock) {
            Fill fill = fills.get(key);
            return fill == null ? 0 : fill.waiters;
        }
    }

    private Lease pin(StoredEntry entry) {
        policy.used(entry.key, entry.bytes);
        entry.pins++;
        entry.lastUse = stamp();
        index.remove(entry.key);
        index.put(entry.key, entry);
        try {
            EntryMarker.setLastUse(entry.dir, entry.lastUse);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not record the last use of cache entry {0}; after a restart it may be"
                    + " evicted earlier than it should: {1}", entry.key, e.toString());
        }
        return new Lease(this, entry);
    }

    /**
     * A strictly increasing time, in microseconds because that is what file systems keep at least,
     * so that last-use order read back from marker times is the order of use.
     */
    private Instant stamp() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (!now.isAfter(lastStamp)) {
            now = lastStamp.plus(1, ChronoUnit.MICROS);
        }
        lastStamp = now;
        return now;
    }

    /**
     * Moves a dropped entry's directory into the staging area, so that its key can be filled again
     * at once while the tree is deleted outside the lock; returns the tree to delete. If the move
     * fails, the tree is deleted in place, marker first, so it can never be adopted again.
     */
    private Optional<Path> retire(StoredEntry entry) {
        Path trash = staging.resolve("retired-" + (++retired));
        try {
            Files.move(entry.dir, trash, StandardCopyOption.ATOMIC_MOVE);
            return Optional.of(trash);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(EntryMarker.in(entry.dir));
                Trees.delete(entry.dir);
            } catch (IOException again) {
                LOG.log(Level.WARNING, "could not delete cache entry {0} at {1}; it is removed when the cache"
                        + " next opens: {2}", entry.key, entry.dir, again.toString());
            }
            return Optional.empty();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the node cache at " + root + " is closed");
        }
    }
}
