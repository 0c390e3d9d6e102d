package dev.thaw.control.routing;

import java.util.Map;

/**
 * An instance's answer as the gateway passes it on: the node's status (200, or the
 * handler's 500 or 504), body, and the {@code X-Thaw-*} headers.
 */
public record InvokeResult(int status, byte[] body, String contentType, Map<String, String> headers) {
    public InvokeResult {
        headers = Map.copyOf(headers);
    }
}
