package dev.thaw.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that ends in an error answer: status, a short machine-readable code and a message
 * meant for the caller. Handlers throw it; {@link ErrorMapper} writes it as {@code {"error","message"}}.
 */
public class HttpError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers;

    public HttpError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    public HttpError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(new LinkedHashMap<>(headers));
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Headers the answer carries besides the body, e.g. {@code Retry-After} or {@code WWW-Authenticate}. */
    public Map<String, String> headers() {
        return headers;
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, "bad_request", message);
    }

    public static HttpError notFound(String message) {
        return new HttpError(404, "not_found", message);
    }

    /** A request body over its limit; answered 413. */
    public static final class TooLarge extends HttpError {
        public TooLarge(long limit, String advice) {
            super(413, "too_large", "request body is larger than the limit of " + limit + " bytes"
                    + (advice.isEmpty() ? "" : "; " + advice));
        }
    }
}
