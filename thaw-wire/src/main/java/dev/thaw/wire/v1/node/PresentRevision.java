package dev.thaw.wire.v1.node;

import java.util.Objects;

/**
 * How much of one revision's snapshot a node holds, as its status reports it: a whole snapshot in its
 * cache has {@code presentBytes == totalBytes}; chunks shared with other revisions count for each.
 *
 * @param presentBytes bytes of the revision's snapshot on the node, 0 to {@code totalBytes}
 * @param totalBytes the whole snapshot in the same unit; more than 0
 */
public record PresentRevision(String function, String revision, long presentBytes, long totalBytes) {

    public PresentRevision {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(revision, "revision");
        if (totalBytes <= 0 || presentBytes < 0 || presentBytes > totalBytes) {
            throw new IllegalArgumentException("present revision " + function + "/" + revision + ": presentBytes "
                    + presentBytes + " and totalBytes " + totalBytes + " must satisfy 0 <= presentBytes <= totalBytes"
                    + " and totalBytes > 0");
        }
    }

    /** The share of the snapshot on the node, 0..1; exactly 1 only for the whole of it. */
    public double fraction() {
        return presentBytes == totalBytes ? 1.0 : Math.min((double) presentBytes / totalBytes, Math.nextDown(1.0));
    }
}
