package dev.thaw.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sample request a function declares in its manifest ({@code example_request:}), used by load tools when no
 * other body is given.
 *
 * @param body the request body, at most {@link #MAX_BYTES}
 * @param contentType the Content-Type to send it with
 */
public record ExampleRequest(byte[] body, String contentType) {
    /** Bounds what a manifest can make Thaw read; the gateway's body limit is checked where it is known. */
    public static final int MAX_BYTES = 16 << 20;

    public ExampleRequest {
        Objects.requireNonNull(body, "body");
        if (body.length > MAX_BYTES) {
            throw new IllegalArgumentException("example request of " + body.length + " bytes is over the "
                    + MAX_BYTES + "-byte limit");
        }
        body = body.clone();
        contentType = ContentTypes.requireValid(contentType);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExampleRequest other && Arrays.equals(body, other.body)
                && contentType.equals(other.contentType);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(body) + contentType.hashCode();
    }

    @Override
    public String toString() {
        return "ExampleRequest[" + body.length + " bytes, " + contentType + "]";
    }
}
