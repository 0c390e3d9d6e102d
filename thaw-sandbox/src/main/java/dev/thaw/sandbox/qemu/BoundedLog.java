package dev.thaw.sandbox.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The last {@code capacity} bytes of a stream a VMM writes (the guest console, QEMU's own output),
 * kept in memory. A guest that floods its console costs the node one reader and this buffer, never
 * disk or unbounded memory; what fell out is counted and said when the log is read.
 */
final class BoundedLog {
    private final byte[] ring;
    private final CountDownLatch ended = new CountDownLatch(1);
    private long total;

    BoundedLog(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.ring = new byte[capacity];
    }

    /** Keeps {@code in}'s bytes until it ends or fails, on a virtual thread; closes {@code in} at the end. */
    static BoundedLog drain(InputStream in, int capacity, String name) {
        BoundedLog log = new BoundedLog(capacity);
        Thread.ofVirtual().name(name).start(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    log.append(buffer, 0, n);
                }
            } catch (IOException e) {
                // the VMM or its socket went away: the log keeps what it has
            } finally {
                log.ended.countDown();
            }
        });
        return log;
    }

    /** Waits up to {@code millis} for the stream to end, so the last words of a dead process are in. */
    void awaitEnd(long millis) {
        try {
            ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        int capacity = ring.length;
        if (length >= capacity) {
            offset += length - capacity;
            total += length - capacity;
            length = capacity;
        }
        int at = (int) (total % capacity);
        int first = Math.min(length, capacity - at);
        System.arraycopy(bytes, offset, ring, at, first);
        System.arraycopy(bytes, offset + first, ring, 0, length - first);
        total += length;
    }

    /** Bytes written so far, kept or not. */
    synchronized long total() {
        return total;
    }

    int capacity() {
        return ring.length;
    }

    /** The kept bytes, oldest first: at most {@link #capacity()}. */
    synchronized byte[] kept() {
        int capacity = ring.length;
        if (total <= capacity) {
            return Arrays.copyOf(ring, (int) total);
        }
        int at = (int) (total % capacity);
        byte[] out = new byte[capacity];
        System.arraycopy(ring, at, out, 0, capacity - at);
        System.arraycopy(ring, 0, out, capacity - at, at);
        return out;
    }

    /** The last {@code lines} lines kept, with a note when earlier output was dropped. */
    String tail(int lines) {
        long written;
        byte[] kept;
        synchronized (this) {
            written = total;
            kept = kept();
        }
        String[] all = new String(kept, StandardCharsets.ISO_8859_1).split("\r?\n");
        int from = Math.max(0, all.length - lines);
        StringBuilder out = new StringBuilder();
        if (written > kept.length) {
            out.append("[").append(written - kept.length).append(" earlier bytes dropped: only the last ")
                    .append(kept.length).append(" are kept]\n");
        }
        for (int i = from; i < all.length; i++) {
            if (!all[i].isEmpty() || i < all.length - 1) {
                out.append(all[i]).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }
}
