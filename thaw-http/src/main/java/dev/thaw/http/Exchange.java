package dev.thaw.http;

import dev.thaw.api.Json;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What every Thaw endpoint does the same way: bounded request bodies, JSON in and out, error answers. */
public final class Exchange {
    public static final String JSON = "application/json";

    private Exchange() {
    }

    /** The first value of header {@code name}, if any. */
    public static Optional<String> header(ServerRequest request, String name) {
        return request.headers().first(HeaderNames.create(name));
    }

    /** The bearer token the request carries; empty when none. */
    public static String bearer(ServerRequest request) {
        String header = request.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        return header.startsWith("Bearer ") ? header.substring(7).strip() : "";
    }

    /**
     * The request body, refused with {@link HttpError.TooLarge} past {@code limit} bytes
     * (a declared length is checked before reading). A body of up to twice the limit is read to its
     * end and discarded before the refusal: a client still sending it would otherwise meet a reset
     * connection instead of the 413. Larger ones are refused at once, and the connection closed.
     */
    public static byte[] body(ServerRequest request, long limit, String advice) throws IOException {
        var declared = request.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            if (declared.getAsLong() <= 2 * limit) {
                discard(request, limit);
            }
            throw new HttpError.TooLarge(limit, advice);
        }
        if (!request.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = request.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                skipAtMost(in, limit);
                throw new HttpError.TooLarge(limit, advice);
            }
            RequestDeadline.bodyRead(request.socketId());
            return bytes;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Reads and drops at most {@code max} more bytes of the request body; a failure only ends it. */
    private static void discard(ServerRequest request, long max) {
        try (InputStream in = request.content().inputStream()) {
            skipAtMost(in, max);
        } catch (IOException | UncheckedIOException e) {
            // The refusal is answered either way; the connection is then closed.
        }
    }

    private static void skipAtMost(InputStream in, long max) throws IOException {
        byte[] buffer = new byte[8192];
        long left = max;
        int n;
        while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= n;
        }
    }

    /** Reads a JSON body into {@code type}; malformed JSON is a 400. */
    public static <T> T json(ServerRequest request, long limit, Class<T> type) throws IOException {
        byte[] bytes = body(request, limit, "");
        try {
            return Json.mapper().readValue(bytes, type);
        } catch (IOException e) {
            throw HttpError.badRequest("malformed " + type.getSimpleName() + " JSON: " + e.getMessage());
        }
    }

    public static void json(ServerResponse response, int status, Object value) {
        try {
            send(response, status, JSON, Json.mapper().writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void error(ServerResponse response, int status, String code, String message) {
        send(response, status, JSON, errorBytes(code, message));
    }

    static byte[] errorBytes(String code, String message) {
        try {
            return Json.mapper().writeValueAsBytes(new ErrorBody(code, message));
        } catch (IOException e) {
            return ("{\"error\":\"" + code + "\",\"message\":\"\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code body}; 204 and 304 send none. */
    public static void send(ServerResponse response, int status, String contentType, byte[] body) {
        response.status(status);
        if (contentType != null && status != 204 && status != 304) {
            response.header(HeaderNames.CONTENT_TYPE, contentType);
        }
        if (status == 204 || status == 304 || body.length == 0) {
            response.send();
        } else {
            response.send(body);
        }
    }

    public static void text(ServerResponse response, int status, String text) {
        send(response, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static HeaderName name(String header) {
        return HeaderNames.create(header);
    }
}
