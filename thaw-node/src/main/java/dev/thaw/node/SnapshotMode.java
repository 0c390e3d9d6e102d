package dev.thaw.node;

import java.util.Locale;

/**
 * What a node does with snapshots, as the thesis' {@code -snapshots} flag:
 * never take them, keep them on this node only, or also share them through the
 * remote store.
 */
public enum SnapshotMode {
    DISABLED, LOCAL, REMOTE;

    public static SnapshotMode parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("snapshot mode must be disabled, local or remote, got '" + text + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
