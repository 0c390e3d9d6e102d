package dev.thaw.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.Set;

/**
 * Whose fault a failed invocation was. Only {@link #PLATFORM_ERROR} says Thaw failed; the others are the
 * function's own answer, load turned away by a full queue, or a caller that could not reach or address the
 * gateway.
 */
public enum FailureClass {
    /** A 2xx answer. */
    NONE,
    /** The handler raised, or ran past its own timeout (500 handler_error, 504 timeout). */
    FUNCTION_ERROR,
    /** Turned away for load: 429 queue_full, or 503 queue_timeout after waiting for an instance. */
    REJECTED,
    /** Thaw failed: node failed, start failed, no nodes, the gateway timed out, any other 5xx. */
    PLATFORM_ERROR,
    /** The caller's side: connection refused, unknown function, a bad or too large request, other 4xx. */
    CLIENT_ERROR;

    /** Error codes of the handler's own failures, relayed by the gateway from the node. */
    private static final Set<String> FUNCTION_CODES = Set.of("handler_error", "timeout");
    private static final Set<String> REJECTED_CODES = Set.of("queue_full", "queue_timeout");

    /** How it appears in CSV, JSON and summaries: {@code function_error}, ...; {@code ""} for none. */
    public String label() {
        return this == NONE ? "" : name().toLowerCase(Locale.ROOT);
    }

    public static FailureClass fromLabel(String label) {
        if (label == null || label.isBlank()) {
            return NONE;
        }
        try {
            return valueOf(label.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown failure class '" + label + "'; expected function_error, "
                    + "rejected, platform_error or client_error", e);
        }
    }

    /**
     * Classifies an HTTP answer by its status and the {@code error} code of Thaw's JSON error body ({@code null}
     * when the body had none).
     */
    public static FailureClass ofAnswer(int status, String errorCode) {
        if (status >= 200 && status < 300) {
            return NONE;
        }
        String code = errorCode == null ? "" : errorCode;
        if (status == 429 || REJECTED_CODES.contains(code)) {
            return REJECTED;
        }
        if (FUNCTION_CODES.contains(code) && (status == 500 || status == 504)) {
            return FUNCTION_ERROR;
        }
        if (status >= 400 && status < 500) {
            return CLIENT_ERROR;
        }
        return PLATFORM_ERROR;
    }

    /** Classifies an answer from its body, which is Thaw's {@code {"error": code, "message": ...}} on errors. */
    public static FailureClass ofAnswer(int status, byte[] body) {
        return ofAnswer(status, status >= 200 && status < 300 ? null : errorCode(body));
    }

    /**
     * Classifies a call that got no answer: the gateway could not be reached or addressed (client error), or it
     * took the connection and never answered in time (platform error).
     */
    public static FailureClass ofException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnresolvedAddressException || t instanceof IllegalArgumentException) {
                return CLIENT_ERROR;
            }
        }
        if (e instanceof HttpTimeoutException || e instanceof IOException) {
            return PLATFORM_ERROR;
        }
        // Interrupted, or a bug on the caller's side.
        return CLIENT_ERROR;
    }

    /** The {@code error} field of a JSON error body; null when the body is not one. */
    static String errorCode(byte[] body) {
        if (body == null || body.length == 0 || body.length > 64 << 10 || body[0] != '{') {
            return null;
        }
        try {
            JsonNode node = Json.mapper().readTree(body);
            JsonNode code = node == null ? null : node.get("error");
            return code != null && code.isTextual() ? code.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
