package dev.thaw.node;

import java.util.List;

/**
 * How one instance started and what each step cost. Times are milliseconds on
 * this node, from the moment the start was asked for.
 *
 * @param imageFetchMs time spent fetching root filesystem images from the store
 * @param imageBytes bytes of images fetched (compressed, as transferred)
 * @param snapshotFetchMs time spent fetching the snapshot from the store
 * @param snapshotBytes bytes of snapshot fetched (compressed, as transferred)
 * @param vmMs the restore, or the boot including the function's init
 * @param initMs the function's init phase: measured now for a boot, as recorded in the snapshot otherwise
 * @param snapshotMs time to take a snapshot after a boot (0 when none was taken)
 * @param readyMs from the request to an instance ready to serve
 * @param fallbacks why cheaper tiers were not used, in the order they were tried
 */
public record StartRecord(StartTier tier, double imageFetchMs, long imageBytes, double snapshotFetchMs,
        long snapshotBytes, double vmMs, double initMs, double snapshotMs, double readyMs, List<String> fallbacks) {

    public StartRecord {
        fallbacks = List.copyOf(fallbacks);
    }
}
