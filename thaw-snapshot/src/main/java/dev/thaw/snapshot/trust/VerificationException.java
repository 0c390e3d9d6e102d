package dev.thaw.snapshot.trust;

import dev.thaw.snapshot.store.CorruptBundleException;
import java.util.Locale;

/**
 * An object in the store failed authentication: nothing of it reaches a guest. The reason is
 * what a node counts it under.
 */
public final class VerificationException extends CorruptBundleException {

    /** Why an object was refused; {@link #label()} is the metric tag. */
    public enum Reason {
        /** No signature beside {@code info.json}. */
        UNSIGNED,
        /** The signature file is malformed, or the signature does not verify. */
        BAD_SIGNATURE,
        /** A valid signature by a key that may not publish this revision. */
        UNTRUSTED_SIGNER,
        /** A validly signed object for another function, revision or digest. */
        WRONG_SUBJECT,
        /** Data that does not match its signed digests. */
        CONTENT,
        /** An image whose bytes do not hash to the digest it is stored under. */
        IMAGE_DIGEST;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public VerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
