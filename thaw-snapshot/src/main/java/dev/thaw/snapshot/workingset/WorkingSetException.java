package dev.thaw.snapshot.workingset;

import java.util.Locale;

/**
 * A published working set that is not used. It never fails a restore: the restore goes on
 * without it (chunks are read on first touch), and the reason is counted.
 */
public final class WorkingSetException extends Exception {

    /** Why a working set was refused; {@link #label()} is the counter's tag. */
    public enum Reason {
        /** No signature beside {@code working-set.json}. */
        UNSIGNED,
        /** The signature file is malformed, or the signature does not verify. */
        BAD_SIGNATURE,
        /** A valid signature by a key that may not publish this revision. */
        UNTRUSTED_SIGNER,
        /** Larger than {@link WorkingSet#MAX_BYTES} or than {@link WorkingSet#MAX_CHUNKS} entries. */
        TOO_LARGE,
        /** Not JSON, missing fields, or a format version this Thaw does not read. */
        FORMAT,
        /** Names another revision, another memory file, or chunks or pages the snapshot does not have. */
        OUTSIDE,
        /** The page pack's size or SHA-256 is not what the signed working set says (or it is missing). */
        PACK_MISMATCH,
        /** The page pack matches its digest but is not one zstd frame of the size the working set says. */
        PACK_FORMAT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public WorkingSetException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
