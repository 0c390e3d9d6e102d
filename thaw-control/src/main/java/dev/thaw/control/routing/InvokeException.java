package dev.thaw.control.routing;

import java.util.Map;

/** An invocation that ends in an error answer: HTTP status, error code and a message for people. */
public final class InvokeException extends Exception {
    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public InvokeException(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public InvokeException(int status, String code, String message, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** {@code X-Thaw-*} headers when the request reached an instance. */
    public Map<String, String> headers() {
        return headers;
    }
}
