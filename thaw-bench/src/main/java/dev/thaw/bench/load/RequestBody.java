package dev.thaw.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one function is sent: the bytes, their Content-Type, and where they came from (for the run's header,
 * e.g. {@code payloads/json-transform.json}).
 */
public record RequestBody(byte[] bytes, String contentType, String source) {
    public RequestBody {
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
        Objects.requireNonNull(contentType, "contentType");
        source = source == null ? "" : source;
    }

    /** Text sent as {@code text/plain}. */
    public static RequestBody text(String text, String source) {
        return new RequestBody(text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", source);
    }

    public static RequestBody empty(String source) {
        return new RequestBody(new byte[0], "application/octet-stream", source);
    }

    /** The bytes themselves, not a copy: callers must not change them. */
    @Override
    public byte[] bytes() {
        return bytes;
    }

    public RequestBody withContentType(String type) {
        return new RequestBody(bytes, type, source);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestBody other && Arrays.equals(bytes, other.bytes)
                && contentType.equals(other.contentType) && source.equals(other.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(bytes), contentType, source);
    }

    @Override
    public String toString() {
        return bytes.length + " bytes " + contentType + (source.isEmpty() ? "" : " from " + source);
    }
}
