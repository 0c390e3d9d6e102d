package dev.thaw.snapshot.workingset;

import java.io.IOException;

/** Where prefetched chunks go: verified raw bytes by their SHA-256. */
public interface ChunkSink {

    /** True when the chunk is already here, so it is not fetched. */
    boolean has(String digest) throws IOException;

    /** Keeps {@code data}, whose SHA-256 has been checked to be {@code digest}. */
    void put(String digest, byte[] data) throws IOException;
}
