package dev.thaw.snapshot.cache;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pin on one cache entry: while it is open the entry's files stay where {@link #dir()} says,
 * even if the entry is removed from the cache. Close it when done with the files.
 */
public final class Lease implements AutoCloseable {

    private final NodeCache cache;
    private final StoredEntry entry;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(NodeCache cache, StoredEntry entry) {
        this.cache = cache;
        this.entry = entry;
    }

    public String key() {
        return entry.key;
    }

    /** The entry's directory, {@code <cache root>/<key>}. */
    public Path dir() {
        return entry.dir;
    }

    public long bytes() {
        return entry.bytes;
    }

    /** Unpins the entry; closing again does nothing. Works after the cache itself was closed. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cache.release(entry);
        }
    }

    @Override
    public String toString() {
        return "Lease[" + entry.key + (closed.get() ? ", closed]" : "]");
    }
}
