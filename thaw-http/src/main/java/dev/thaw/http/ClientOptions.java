package dev.thaw.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link Client} reaches its peer.
 *
 * @param maxBodyBytes a response body larger than this fails the call
 * @param tlsCa        the PEM CA file that {@code https://} peers are verified against; without
 *                     one, the JDK's default trust store
 */
public record ClientOptions(Duration connectTimeout, int maxBodyBytes, Optional<Path> tlsCa) {
    /** Well above a function's response, far below the heap. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 << 20;

    public ClientOptions {
        if (maxBodyBytes < 1 || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("invalid client options: " + connectTimeout + ", " + maxBodyBytes);
        }
    }

    public static ClientOptions of(Duration connectTimeout) {
        return new ClientOptions(connectTimeout, DEFAULT_MAX_BODY_BYTES, Optional.empty());
    }

    public ClientOptions withMaxBodyBytes(int bytes) {
        return new ClientOptions(connectTimeout, bytes, tlsCa);
    }

    public ClientOptions withTlsCa(Optional<Path> ca) {
        return new ClientOptions(connectTimeout, maxBodyBytes, ca);
    }
}
