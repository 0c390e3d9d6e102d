package dev.thaw.snapshot.lazy;

import java.nio.ByteBuffer;

/**
 * Verified pages of a presented file held outside the chunk cache (a working set's page pack):
 * consulted before the chunks, it serves a read only when it holds all of it.
 */
public interface PageSource {
    PageSource NONE = (offset, target) -> false;

    /**
     * Fills {@code target} (all of its remaining bytes) from {@code offset} and returns true, or
     * returns false and leaves it untouched. May wait, bounded, for the pages to arrive.
     */
    boolean read(long offset, ByteBuffer target) throws InterruptedException;

    /** The presented file is closed: the pages are no longer needed for it. Called once. */
    default void release() {
    }
}
