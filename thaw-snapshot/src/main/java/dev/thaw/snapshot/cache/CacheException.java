package dev.thaw.snapshot.cache;

/** An entry could not be brought into the cache: it does not fit, or filling it failed. */
public class CacheException extends Exception {
    public CacheException(String message) {
        super(message);
    }

    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
