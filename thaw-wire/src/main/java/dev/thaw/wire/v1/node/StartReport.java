package dev.thaw.wire.v1.node;

import java.util.List;
import java.util.Locale;

/**
 * How one instance started and what each step cost, as a node reports it. Times are milliseconds on the node,
 * from the moment the start was asked for.
 *
 * @param imageFetchMs time spent fetching root filesystem images from the store
 * @param imageBytes bytes of images fetched (compressed, as transferred)
 * @param snapshotFetchMs time spent fetching the snapshot from the store
 * @param snapshotBytes bytes of snapshot fetched (compressed, as transferred)
 * @param vmMs the restore, or the boot including the function's init
 * @param initMs the function's init phase
 * @param snapshotMs time to take a snapshot after a boot (0 when none was taken)
 * @param readyMs from the request to an instance ready to serve
 * @param fallbacks why cheaper tiers were not used, in the order they were tried
 * @param snapshotPeerBytes of the snapshot bytes fetched by the time the instance was ready, those read from other
 *     nodes rather than the store (0 when none, or from a node that does not say)
 */
public record StartReport(Tier tier, double imageFetchMs, long imageBytes, double snapshotFetchMs,
        long snapshotBytes, double vmMs, double initMs, double snapshotMs, double readyMs, List<String> fallbacks,
        long snapshotPeerBytes) {

    public StartReport {
        fallbacks = List.copyOf(fallbacks);
    }

    /** A report with no snapshot bytes read from peers. */
    public StartReport(Tier tier, double imageFetchMs, long imageBytes, double snapshotFetchMs, long snapshotBytes,
            double vmMs, double initMs, double snapshotMs, double readyMs, List<String> fallbacks) {
        this(tier, imageFetchMs, imageBytes, snapshotFetchMs, snapshotBytes, vmMs, initMs, snapshotMs, readyMs,
                fallbacks, 0);
    }

    /** Where an instance started from, cheapest first. */
    public enum Tier {
        /** Restored into a VMM that was already started with the snapshot's memory mapped. */
        CLONE,
        /** Restored from the node's snapshot cache. */
        LOCAL,
        /** Fetched from the remote store, then restored. */
        REMOTE,
        /** Booted, with the function's init run from scratch. */
        BOOT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
