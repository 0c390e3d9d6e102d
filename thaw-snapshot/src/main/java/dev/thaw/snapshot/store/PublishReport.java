package dev.thaw.snapshot.store;

/**
 * What a publish did.
 *
 * @param rawBytes the sum of the files' sizes
 * @param storedBytes what went into the store: for a snapshot, the chunks it lacked plus the manifest and its
 *     signature; for an image, the packed object plus {@code pack.json}
 * @param dataBytes the bytes of (distinct, for a snapshot) non-zero chunks, before compression
 * @param elapsedMs wall-clock time
 * @param skipped true when nothing was uploaded: the bundle was there already, or another publisher
 *     is writing the same bundle right now
 */
public record PublishReport(long rawBytes, long storedBytes, long dataBytes, long elapsedMs, boolean skipped) {

    static PublishReport skipped(long rawBytes, long elapsedMs) {
        return new PublishReport(rawBytes, 0, 0, elapsedMs, true);
    }
}
