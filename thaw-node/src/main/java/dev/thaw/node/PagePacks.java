package dev.thaw.node;

import dev.thaw.snapshot.lazy.PageSource;
import dev.thaw.snapshot.workingset.LoadedPack;
import dev.thaw.snapshot.workingset.WorkingSet;
import dev.thaw.snapshot.workingset.WorkingSetCounters;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The page packs of revisions whose instances are being lazily presented on this node: one pack per
 * revision in memory, shared by every instance presenting it, fetched once by the first and released
 * when the last one's memory file is closed.
 */
final class PagePacks {
    /** The longest a guest's read waits for a pack that is still coming; then the read goes to the chunks. */
    static final Duration WAIT = LazyRestore.CHUNK_DEADLINE;

    private final WorkingSetCounters counters;
    private final Executor executor;
    private final Map<String, Shared> shared = new HashMap<>();

    PagePacks(WorkingSetCounters counters, Executor executor) {
        this.counters = counters;
        this.executor = executor;
    }

    /** What {@link #acquire} gives: the pack as a page source, and whether this call started its fetch. */
    record Acquired(PageSource pages, boolean fetching, CompletableFuture<Optional<LoadedPack>> loaded) {}

    /**
     * A reference to the pack of {@code set} (which names one), fetched with {@code load} unless it is
     * here or on its way; {@code load} returns empty when the pack was refused.
     */
    synchronized Acquired acquire(String key, WorkingSet set, Supplier<Optional<LoadedPack>> load) {
        Shared current = shared.get(key);
        boolean start = current == null || !current.sha256.equals(set.pack().sha256());
        if (start) {
            current = new Shared(set.pack().sha256(), CompletableFuture.supplyAsync(load, executor));
            shared.put(key, current); // an instance still holding an older pack keeps its own reference
        }
        current.refs++;
        return new Acquired(new Handle(key, current), start, current.pack);
    }

    /** Revisions whose pack is held now. */
    synchronized int held() {
        return shared.size();
    }

    private synchronized void release(String key, Shared pack) {
        if (--pack.refs == 0) {
            shared.remove(key, pack);
        }
    }

    private static final class Shared {
        final String sha256;
        final CompletableFuture<Optional<LoadedPack>> pack;
        int refs;

        Shared(String sha256, CompletableFuture<Optional<LoadedPack>> pack) {
            this.sha256 = sha256;
            this.pack = pack;
        }
    }

    private final class Handle implements PageSource {
        private final String key;
        private final Shared pack;
        private boolean released;

        Handle(String key, Shared pack) {
            this.key = key;
            this.pack = pack;
        }

        @Override
        public boolean read(long offset, ByteBuffer target) throws InterruptedException {
            Optional<LoadedPack> loaded;
            try {
                loaded = pack.pack.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                loaded = Optional.empty();
            }
            if (loaded.isEmpty()) {
                return false;
            }
            boolean served = loaded.get().read(offset, target);
            counters.packRead(served);
            return served;
        }

        @Override
        public void release() {
            synchronized (this) {
                if (released) {
                    return;
                }
                released = true;
            }
            PagePacks.this.release(key, pack);
        }
    }
}
