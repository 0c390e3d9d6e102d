package dev.thaw.node;

import dev.thaw.sandbox.FileTrees;
import dev.thaw.snapshot.cache.CacheException;
import dev.thaw.snapshot.cache.Filler;
import dev.thaw.snapshot.cache.Lease;
import dev.thaw.snapshot.cache.NodeCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory an instance uses for its whole life: a pinned cache entry, or,
 * on a node without a cache, a scratch directory deleted when released.
 */
interface Held extends AutoCloseable {
    Path dir();

    /** True when the snapshot's memory is fetched on first touch (see {@link LazyRestore}). */
    default boolean lazy() {
        return false;
    }

    /** Store bytes fetched for this directory so far, when it keeps fetching after the start (lazy); else 0. */
    default long fetchedBytes() {
        return 0;
    }

    @Override
    void close();

    /** A pinned cache entry, unpinned on close. */
    static Held of(Lease lease) {
        return new Held() {
            @Override
            public Path dir() {
                return lease.dir();
            }

            @Override
            public void close() {
                lease.close();
            }
        };
    }

    /** Fills what {@code key} names through the cache, or into scratch space when there is no cache. */
    static Held fill(NodeCache cache, Path scratch, String key, long bytes, Filler filler)
            throws CacheException, IOException, InterruptedException {
        if (cache != null) {
            return of(cache.acquire(key, bytes, filler));
        }
        Files.createDirectories(scratch);
        Path dir = Files.createTempDirectory(scratch, "uncached-");
        try {
            filler.fill(dir);
        } catch (IOException | CacheException | RuntimeException e) {
            FileTrees.deleteQuietly(dir);
            throw e;
        }
        return new Held() {
            @Override
            public Path dir() {
                return dir;
            }

            @Override
            public void close() {
                FileTrees.deleteQuietly(dir);
            }
        };
    }
}
