package dev.thaw.wire.v1.node;

import java.util.Optional;

/**
 * The names a node's cache gives its entries, which nodes report in their
 * status and which Kubernetes objects and the scheduler read back:
 * {@code snapshots/<function>/<revision>} and {@code images/<digest>}.
 */
public final class CacheKeys {
    public static final String SNAPSHOTS = "snapshots/";
    public static final String IMAGES = "images/";

    private CacheKeys() {
    }

    public static String snapshot(String function, String revision) {
        return SNAPSHOTS + function + "/" + revision;
    }

    /** The prefix of every snapshot key of {@code function}. */
    public static String snapshotsOf(String function) {
        return SNAPSHOTS + function + "/";
    }

    public static String image(String digest) {
        return IMAGES + digest;
    }

    public static boolean isImage(String key) {
        return key.startsWith(IMAGES);
    }

    /** {@code [function, revision]} of a snapshot key; empty for images and anything else. */
    public static Optional<String[]> revision(String key) {
        if (!key.startsWith(SNAPSHOTS)) {
            return Optional.empty();
        }
        String[] parts = key.substring(SNAPSHOTS.length()).split("/", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? Optional.of(parts)
                : Optional.empty();
    }
}
