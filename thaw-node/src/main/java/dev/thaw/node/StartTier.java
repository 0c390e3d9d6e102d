package dev.thaw.node;

import java.util.Locale;

/** Where a new instance came from, cheapest first. */
public enum StartTier {
    /** Restored into a VMM that was already started with the snapshot's memory mapped. */
    CLONE,
    /** Restored from this node's snapshot cache. */
    LOCAL,
    /** Fetched from the remote store, then restored. */
    REMOTE,
    /** Booted, with the function's init run from scratch. */
    BOOT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
