package dev.thaw.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The one place where failures become HTTP answers. Every error body is {@link ErrorBody};
 * a 500 never carries the exception's text (it may name files, hosts or secrets), only a
 * reference that is logged with the stack trace for the operator.
 */
public final class ErrorMapper {
    private static final Logger LOG = System.getLogger(ErrorMapper.class.getName());

    private final Map<Class<? extends Throwable>, Function<Throwable, HttpError>> translations =
            new LinkedHashMap<>();

    /** Answers {@code type} (and its subclasses) with what {@code translation} makes of it. */
    @SuppressWarnings("unchecked")
    public <T extends Throwable> ErrorMapper translate(Class<T> type, Function<? super T, HttpError> translation) {
        translations.put(type, t -> translation.apply((T) t));
        return this;
    }

    /** The answer for {@code failure}, or null for an internal error. */
    HttpError errorFor(Throwable failure) {
        if (failure instanceof HttpError e) {
            return e;
        }
        for (var entry : translations.entrySet()) {
            if (entry.getKey().isInstance(failure)) {
                return entry.getValue().apply(failure);
            }
        }
        if (failure instanceof IllegalArgumentException) {
            return HttpError.badRequest(failure.getMessage());
        }
        if (failure instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new HttpError(503, "shutting_down", "the server is shutting down; retry elsewhere");
        }
        return null;
    }

    /** Writes the answer for {@code failure}; a response already under way is left as it is. */
    public void handle(ServerRequest request, ServerResponse response, Throwable failure) {
        if (response.isSent()) {
            LOG.log(Level.DEBUG, "failure after the response was sent", failure);
            return;
        }
        HttpError error = errorFor(failure);
        if (error == null) {
            internalError(request, response, failure);
            return;
        }
        error.headers().forEach(response::header);
        Exchange.error(response, error.status(), error.code(), error.getMessage());
    }

    /**
     * Answers 500 with a reference, never the exception's text, and logs the detail under that
     * reference.
     *
     * @return the reference
     */
    public static String internalError(ServerRequest request, ServerResponse response, Throwable failure) {
        String reference = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        LOG.log(Level.WARNING, request.prologue().method().text() + " " + request.path().rawPath()
                + " failed (reference " + reference + ")", failure);
        if (!response.isSent()) {
            try {
                Exchange.error(response, 500, "internal", "internal error, reference " + reference);
            } catch (RuntimeException ignored) {
                // the connection is gone; the log keeps the reference
            }
        }
        return reference;
    }

    /**
     * Answers for requests that fail before routing (malformed HTTP, oversize header or body),
     * in the same {@link ErrorBody} form, without echoing any of the request.
     */
    static DirectHandlers transportErrors(long maxBodyBytes) {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, (request, event, status, headers, message) ->
                    transportAnswer(event, status, headers, maxBodyBytes));
        }
        return builder.build();
    }

    private static DirectHandler.TransportResponse transportAnswer(DirectHandler.EventType event, Status status,
            ServerResponseHeaders headers, long maxBodyBytes) {
        String code;
        String message;
        switch (status.code()) {
            case 413 -> {
                code = "too_large";
                message = "request body is larger than the limit of " + maxBodyBytes + " bytes";
            }
            case 431 -> {
                code = "headers_too_large";
                message = "request headers are larger than this server accepts";
            }
            case 414 -> {
                code = "uri_too_long";
                message = "request line is longer than this server accepts";
            }
            case 505 -> {
                code = "http_version_not_supported";
                message = "this server speaks HTTP/1.1";
            }
            case 500 -> {
                code = "internal";
                message = "internal error";
            }
            default -> {
                code = status.code() / 100 == 4 ? "bad_request" : "error";
                message = status.code() / 100 == 4 ? "malformed HTTP request" : "the request failed";
            }
        }
        byte[] body = Exchange.errorBytes(code, message);
        headers.set(HeaderNames.CONTENT_TYPE, Exchange.JSON);
        return DirectHandler.TransportResponse.builder().status(status).headers(headers)
                .keepAlive(false).entity(body).build();
    }
}
