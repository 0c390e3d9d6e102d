package dev.thaw.node.peer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The zstd frames this node served to peers lately, by chunk digest, least recently used out first
 * and bounded in bytes: the nodes of a burst ask a holder for the same chunks at about the same time,
 * and compressing a chunk again for each of them costs the holder's CPU while its own guests run.
 * A digest names its content, so an entry is never stale.
 */
final class FrameCache {
    private final long maxBytes;
    private final LinkedHashMap<String, byte[]> frames = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    FrameCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("a frame cache's bound must not be negative, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    synchronized Optional<byte[]> get(String digest) {
        byte[] frame = frames.get(digest);
        if (frame == null) {
            misses++;
            return Optional.empty();
        }
        hits++;
        return Optional.of(frame);
    }

    /** Keeps {@code frame} unless it alone is over the bound; evicts the least recently used to make room. */
    synchronized void put(String digest, byte[] frame) {
        if (frame.length > maxBytes) {
            return;
        }
        byte[] old = frames.put(digest, frame);
        bytes += frame.length - (old == null ? 0 : old.length);
        Iterator<Map.Entry<String, byte[]>> eldest = frames.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            bytes -= eldest.next().getValue().length;
            eldest.remove();
        }
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }
}
