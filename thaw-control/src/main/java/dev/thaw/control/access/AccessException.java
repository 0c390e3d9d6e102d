package dev.thaw.control.access;

/**
 * A namespace or token request that cannot be done; {@link #code()} is the API error code and
 * {@link #status()} its HTTP status. Nothing changed.
 */
public final class AccessException extends Exception {
    private final int status;
    private final String code;

    AccessException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    static AccessException unknownNamespace(String namespace) {
        return new AccessException(404, "unknown_namespace", "namespace '" + namespace + "' does not exist");
    }
}
