package dev.thaw.snapshot.store;

/** The store could not be reached or refused a request. */
public class StoreException extends Exception {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
