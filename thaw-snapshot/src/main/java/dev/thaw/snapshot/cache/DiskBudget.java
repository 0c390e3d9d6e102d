package dev.thaw.snapshot.cache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One byte budget shared by a node's disk caches (its snapshot and image cache, and its chunk
 * cache), so that together they never hold more than the node was given.
 *
 * <p>Each cache joins with an {@link Account} and reserves bytes before it writes them. When a
 * reservation does not fit, the budget asks the caches to evict unpinned entries, in the order they
 * joined (a node joins its chunk cache first: a chunk is cheap to fetch again, and a completed
 * snapshot duplicates the chunks it was made from), until it fits. A reservation that could not fit
 * even if every unpinned entry went is refused and evicts nothing. On open each cache adopts the
 * entries it finds on disk, so the usage is rebuilt from what the caches hold, and {@link #trim()}
 * brings it back within the budget.
 *
 * <p>Thread-safe. Lock order: a cache may call its account while holding its own lock; the budget
 * calls a cache's {@link Holder} only while holding no lock of its own, so a cache must never
 * reserve, trim or ask for {@link #availableBytes()} while holding its lock.
 */
public final class DiskBudget {

    /** What a cache lets the budget do with its entries. */
    public interface Holder {
        /**
         * Evicts unpinned entries, least valuable first, until at least {@code bytes} are freed or none
         * is left, releasing them through the cache's account; returns the bytes freed.
         */
        long evictFor(long bytes);

        /** Bytes of the cache's unpinned entries: what {@link #evictFor} could free now. */
        long evictableBytes();
    }

    /** One cache's share: bytes it holds or has reserved. */
    public final class Account {
        private final String name;
        private final Holder holder;
        /** Guarded by the budget's lock. */
        private long bytes;

        private Account(String name, Holder holder) {
            this.name = name;
            this.holder = holder;
        }

        /**
         * Reserves {@code bytes}, evicting unpinned entries of any cache on this budget if needed;
         * false (and nothing evicted) when they cannot fit even then. Never call it holding the
         * cache's own lock.
         */
        public boolean reserve(long bytes) {
            return DiskBudget.this.reserve(this, bytes);
        }

        /** Gives back {@code bytes} reserved or adopted earlier. */
        public void release(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("cannot release " + bytes + " bytes");
            }
            synchronized (DiskBudget.this) {
                if (!accounts.contains(this)) {
                    return; // its cache closed: what it still frees no longer counts
                }
                if (bytes > this.bytes) {
                    throw new IllegalStateException(name + " releases " + bytes + " bytes but holds " + this.bytes);
                }
                this.bytes -= bytes;
                used -= bytes;
            }
        }

        /**
         * Counts {@code bytes} the cache found on disk, even beyond the budget: call {@link #trim()}
         * once the cache can evict.
         */
        public void adopt(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("cannot adopt " + bytes + " bytes");
            }
            synchronized (DiskBudget.this) {
                this.bytes += bytes;
                used += bytes;
            }
        }

        /** Bytes this cache holds or has reserved. */
        public long bytes() {
            synchronized (DiskBudget.this) {
                return bytes;
            }
        }

        public String name() {
            return name;
        }

        public DiskBudget budget() {
            return DiskBudget.this;
        }
    }

    /**
     * The budget's use now.
     *
     * @param budgetBytes the most all caches together may hold
     * @param usedBytes bytes they hold or have reserved, together
     * @param byCache of those, each cache's, by name, in the order they joined
     */
    public record Usage(long budgetBytes, long usedBytes, Map<String, Long> byCache) {
        public Usage {
            byCache = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCache));
        }
    }

    /** Rounds of eviction one reservation may run when other threads keep taking the room it freed. */
    private static final int MAX_ROUNDS = 64;

    private final long limit;
    /** Guarded by this. */
    private final List<Account> accounts = new ArrayList<>();
    /** Guarded by this. */
    private long used;

    private DiskBudget(long limit) {
        this.limit = limit;
    }

    /** A budget of {@code limitBytes} with no cache on it yet. */
    public static DiskBudget of(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("disk budget must be 0 bytes or more, got " + limitBytes);
        }
        return new DiskBudget(limitBytes);
    }

    /** Adds a cache to this budget; caches are asked to evict in the order they joined. */
    public synchronized Account join(String name, Holder holder) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        for (Account a : accounts) {
            if (a.name.equals(name)) {
                throw new IllegalArgumentException("a cache named " + name + " is already on this budget");
            }
        }
        Account account = new Account(name, holder);
        accounts.add(account);
        return account;
    }

    /**
     * Takes {@code account} off the budget when its cache closes, giving back what it holds: the files
     * stay for the cache's next open, which adopts them again.
     */
    public synchronized void leave(Account account) {
        if (accounts.remove(account)) {
            used -= account.bytes;
            account.bytes = 0;
        }
    }

    public long limit() {
        return limit;
    }

    public synchronized long used() {
        return used;
    }

    public synchronized Usage usage() {
        Map<String, Long> byCache = new LinkedHashMap<>();
        for (Account a : accounts) {
            byCache.put(a.name, a.bytes);
        }
        return new Usage(limit, used, byCache);
    }

    /**
     * Bytes a reservation could have now if every unpinned entry were evicted: the budget less what
     * is pinned or reserved. Never call it holding a cache's lock.
     */
    public long availableBytes() {
        List<Account> all;
        long held;
        synchronized (this) {
            all = List.copyOf(accounts);
            held = used;
        }
        long evictable = 0;
        for (Account a : all) {
            evictable += a.holder.evictableBytes();
        }
        return Math.max(0, limit - Math.max(0, held - evictable));
    }

    /** Evicts, in join order, until the caches fit the budget or nothing more can go. Never call it holding a cache's lock. */
    public void trim() {
        for (Account a : snapshot()) {
            long over = over(0);
            if (over <= 0) {
                return;
            }
            a.holder.evictFor(over);
        }
    }

    /** Says where the budget's bytes are, for an error that refuses a reservation. */
    public String describe() {
        List<Account> all = snapshot();
        StringBuilder text = new StringBuilder();
        synchronized (this) {
            text.append("the node's disk budget of ").append(limit).append(" bytes holds ").append(used).append(':');
        }
        for (Account a : all) {
            long evictable = a.holder.evictableBytes();
            long bytes = a.bytes();
            text.append(' ').append(a.name).append(' ').append(bytes).append(" (")
                    .append(Math.max(0, bytes - evictable)).append(" pinned or reserved),");
        }
        text.setLength(text.length() - 1);
        return text.toString();
    }

    private boolean reserve(Account account, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot reserve " + bytes + " bytes");
        }
        if (bytes > limit) {
            return false;
        }
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (take(account, bytes)) {
                return true;
            }
            List<Account> all = snapshot();
            long evictable = 0;
            for (Account a : all) {
                evictable += a.holder.evictableBytes();
            }
            // Check first, so that entries are not evicted for a reservation that cannot happen anyway.
            if (over(bytes) > evictable) {
                return false;
            }
            long freed = 0;
            for (Account a : all) {
                long over = over(bytes);
                if (over <= 0) {
                    break;
                }
                freed += a.holder.evictFor(over);
            }
            if (freed == 0 && over(bytes) > 0) {
                return false;
            }
        }
        return take(account, bytes);
    }

    private synchronized boolean take(Account account, long bytes) {
        if (!accounts.contains(account)) {
            throw new IllegalStateException(account.name + " is no longer on this budget");
        }
        if (used + bytes > limit) {
            return false;
        }
        used += bytes;
        account.bytes += bytes;
        return true;
    }

    private synchronized long over(long more) {
        return used + more - limit;
    }

    private synchronized List<Account> snapshot() {
        return List.copyOf(accounts);
    }
}
