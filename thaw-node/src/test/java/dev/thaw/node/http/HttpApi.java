package dev.thaw.node.http;

import com.sun.net.httpserver.HttpExchange;
import dev.thaw.api.Json;
import dev.thaw.wire.v1.ErrorBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * For stand-in peers in tests that run on the JDK's built-in server; Thaw itself serves with dev.thaw.http.
 *
 * What every Thaw HTTP endpoint does the same way: bearer-token checks, request
 * bodies read up to a limit, JSON and error responses ({@link ErrorBody}).
 */
public final class HttpApi {
    public static final String JSON = "application/json";

    private HttpApi() {
    }

    /** A request body over the configured limit; answered with 413. */
    public static final class TooLarge extends IOException {
        public TooLarge(long limit) {
            super("request body is larger than the limit of " + limit + " bytes");
        }
    }

    /**
     * Whether the request carries {@code Authorization: Bearer <token>}; if not,
     * answers 401 and the caller must do nothing else. Compared in constant time.
     */
    public static boolean authorized(HttpExchange exchange, String token) throws IOException {
        String presented = bearer(exchange);
        if (MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))
                && !token.isEmpty()) {
            return true;
        }
        unauthorized(exchange);
        return false;
    }

    /** The bearer token the request carries; empty when none. */
    public static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header != null && header.startsWith("Bearer ") ? header.substring(7).strip() : "";
    }

    /** Answers 401: no token, or one not valid for this API. */
    public static void unauthorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        error(exchange, 401, "unauthorized", header == null ? "this API needs 'Authorization: Bearer <token>'"
                : "the token is not valid for this API");
    }

    /** The request body, refused with {@link TooLarge} past {@code limit} bytes (checked before reading it all). */
    public static byte[] body(HttpExchange exchange, long limit) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > limit) {
                    throw new TooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length '" + length + "'", e);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw new TooLarge(limit);
            }
            return bytes;
        }
    }

    /** Reads a JSON body into {@code type}; malformed JSON is an {@link IllegalArgumentException} (400). */
    public static <T> T json(HttpExchange exchange, long limit, Class<T> type) throws IOException {
        byte[] bytes = body(exchange, limit);
        try {
            return Json.mapper().readValue(bytes, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed " + type.getSimpleName() + " JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Answers 413. What is left of the body is read and dropped first (up to
     * 256 MiB): closing on a client still sending makes it see a reset instead of
     * the answer.
     */
    public static void tooLarge(HttpExchange exchange, TooLarge e, String advice) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            long left = 256L << 20;
            int n;
            while (left > 0 && (n = in.read(buffer)) > 0) {
                left -= n;
            }
        } catch (IOException ignored) {
            // the client went away; the answer below may not reach it either
        }
        error(exchange, 413, "too_large", e.getMessage() + "; " + advice);
    }

    public static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, JSON, Json.mapper().writeValueAsBytes(value));
    }

    /**
     * Answers 500 with a reference, never the exception's text (it may name files, hosts or
     * secrets), and logs the detail under that reference for the operator. A response already
     * under way is left as it is.
     *
     * @return the reference
     */
    public static String internalError(HttpExchange exchange, System.Logger log, Throwable failure) {
        String reference = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1);
        log.log(System.Logger.Level.WARNING, exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                + " failed (reference " + reference + ")", failure);
        try {
            error(exchange, 500, "internal", "internal error, reference " + reference);
        } catch (IOException | RuntimeException ignored) {
            // the response was already under way
        }
        return reference;
    }

    public static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        json(exchange, status, new ErrorBody(code, message));
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        // 204 and 304 carry no body: -1 tells the server so.
        boolean empty = status == 204 || status == 304;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length == 0 ? -1 : body.length);
        if (!empty && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}
