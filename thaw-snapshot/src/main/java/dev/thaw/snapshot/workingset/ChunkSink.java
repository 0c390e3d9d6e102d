package dev.thaw.snapshot.workingset;

import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/** Where prefetched chunks go, by their SHA-256: a directory, or the node's chunk cache. */
public interface ChunkSink {

    /** Fetches one chunk's raw bytes, verified against its digest, adding the stored bytes read to {@code fetched}. */
    @FunctionalInterface
    interface Fetch {
        byte[] fetch(AtomicLong fetched) throws StoreException;
    }

    /**
     * Makes the chunk {@code digest} of {@code length} bytes present here, calling {@code fetch}
     * only when it is not (and at most once).
     */
    void fill(String digest, int length, Fetch fetch) throws StoreException, IOException, InterruptedException;
}
