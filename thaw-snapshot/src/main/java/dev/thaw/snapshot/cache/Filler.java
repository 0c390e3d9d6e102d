package dev.thaw.snapshot.cache;

import java.io.IOException;
import java.nio.file.Path;

/** Brings one entry's files into the cache on a miss. */
@FunctionalInterface
public interface Filler {

    /**
     * Writes the entry's files into {@code stagingDir}, a fresh empty directory that becomes the
     * entry's directory once this returns. Runs without the cache's lock held, so it may take long.
     *
     * @return how many bytes were fetched from afar (an object store, a peer), for the cache's
     *     {@code bytesFetched} counter; 0 when everything came from local disk
     */
    long fill(Path stagingDir) throws IOException, CacheException;
}
