package dev.thaw.node.http;

import dev.thaw.api.Json;
import dev.thaw.wire.v1.ErrorBody;
import dev.thaw.http.Client;
import dev.thaw.http.ClientOptions;
import dev.thaw.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A client for one Thaw HTTP API (a node's or the gateway's), with its bearer
 * token. Thread-safe; one per peer.
 */
public final class ApiClient implements AutoCloseable {
    private final URI base;
    private final Client http;

    public ApiClient(URI base, String token, Duration connectTimeout) {
        this(base, token, ClientOptions.of(connectTimeout));
    }

    /** @param maxBodyBytes a response body larger than this fails the call */
    public ApiClient(URI base, String token, Duration connectTimeout, int maxBodyBytes) {
        this(base, token, ClientOptions.of(connectTimeout).withMaxBodyBytes(maxBodyBytes));
    }

    public ApiClient(URI base, String token, ClientOptions options) {
        this.base = base;
        this.http = Client.bearer(base, token, options);
    }

    public URI base() {
        return base;
    }

    /** A non-2xx answer, with the server's error code and message when it sent an {@link ErrorBody}. */
    public static final class ApiException extends IOException {
        private final int status;
        private final String code;

        public ApiException(int status, String code, String message) {
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
    }

    /** The raw response of a call, any status; {@code timeout} bounds the whole call. */
    public HttpResponse<byte[]> call(String method, String path, byte[] body, Map<String, String> headers,
            Duration timeout) throws IOException, InterruptedException {
        URI uri = base.resolve(path);
        return new Bounded(uri, http.send(method, path, headers, body, timeout));
    }

    @Override
    public void close() {
        http.close();
    }

    /** A whole response, seen through the JDK's response interface. */
    private record Bounded(URI uri, Response response) implements HttpResponse<byte[]> {
        @Override
        public int statusCode() {
            return response.status();
        }

        @Override
        public byte[] body() {
            return response.body();
        }

        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(uri).build();
        }

        @Override
        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(response.headers(), (name, value) -> true);
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    /** Sends {@code body} as JSON (or nothing when null) and reads a JSON answer into {@code type} (null for none). */
    public <T> T json(String method, String path, Object body, Class<T> type, Duration timeout)
            throws IOException, InterruptedException {
        byte[] bytes = body == null ? null : Json.mapper().writeValueAsBytes(body);
        HttpResponse<byte[]> response = call(method, path, bytes,
                bytes == null ? Map.of() : Map.of("Content-Type", "application/json"), timeout);
        check(response);
        if (type == null || response.body().length == 0) {
            return null;
        }
        return Json.mapper().readValue(response.body(), type);
    }

    /** Throws {@link ApiException} for a non-2xx response. */
    public static void check(HttpResponse<byte[]> response) throws ApiException {
        check(response.statusCode(), response.body());
    }

    /** Throws {@link ApiException} for a non-2xx status, with the {@link ErrorBody} the server sent. */
    public static void check(int status, byte[] body) throws ApiException {
        if (status >= 200 && status < 300) {
            return;
        }
        String code = "http_" + status;
        String message = new String(body, StandardCharsets.UTF_8);
        try {
            ErrorBody error = Json.mapper().readValue(body, ErrorBody.class);
            code = error.error();
            message = error.message();
        } catch (IOException | RuntimeException notJson) {
            // keep the raw body as the message
        }
        throw new ApiException(status, code, message.isBlank() ? "HTTP " + status : message);
    }
}
