package dev.thaw.snapshot.store;

/**
 * A snapshot or image in the store does not match its metadata: a chunk missing or
 * not matching its digest, a frame that does not decode, a short object, a malformed
 * {@code pack.json}. The message names the object and chunk. Publishing again repairs it.
 */
public class CorruptBundleException extends StoreException {
    public CorruptBundleException(String message) {
        super(message);
    }

    public CorruptBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
