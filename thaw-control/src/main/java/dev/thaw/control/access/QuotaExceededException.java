package dev.thaw.control.access;

/** A deploy would take a namespace past a quota; answered 429 with the message, which names the quota. */
public final class QuotaExceededException extends Exception {
    public QuotaExceededException(String message) {
        super(message);
    }
}
