package dev.thaw.snapshot.cache;

import java.nio.file.Path;
import java.time.Instant;

/** A committed entry's bookkeeping. The mutable fields are guarded by the owning cache's lock. */
final class StoredEntry {

    final String key;
    final Path dir;
    final long bytes;
    Instant lastUse;
    int pins;
    /** Dropped from the index by remove(); its files go when the last lease closes. */
    boolean removed;

    StoredEntry(String key, Path dir, long bytes, Instant lastUse) {
        this.key = key;
        this.dir = dir;
        this.bytes = bytes;
        this.lastUse = lastUse;
    }

    CacheEntry view() {
        return new CacheEntry(key, bytes, lastUse, pins);
    }
}
