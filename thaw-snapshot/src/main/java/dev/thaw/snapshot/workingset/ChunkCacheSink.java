package dev.thaw.snapshot.workingset;

import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.store.StoreException;

/**
 * Prefetches into the node's chunk cache: each chunk is filled (single-flight with a guest's
 * first touch of it) and left unpinned, for the restore's reads to find.
 */
public final class ChunkCacheSink implements ChunkSink {
    private final ChunkCache cache;

    public ChunkCacheSink(ChunkCache cache) {
        this.cache = cache;
    }

    @Override
    public void fill(String digest, int length, Fetch fetch) throws StoreException, InterruptedException {
        cache.pin(digest, length, fetch::fetch);
        cache.unpin(digest);
    }
}
