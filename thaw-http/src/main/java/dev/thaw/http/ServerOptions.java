package dev.thaw.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a Thaw server listens and what it accepts.
 *
 * @param maxBodyBytes   the largest request body on any route (routes may allow less)
 * @param maxHeaderBytes the largest request header block
 * @param maxConnections concurrent TCP connections; more wait in the backlog
 * @param requestDeadline the longest a client may take to send a request before the connection is
 *                       closed (each read waits at most this long; bodies are read within it)
 * @param tlsCertificate PEM certificate chain, with {@code tlsKey}; TLS only when both are present
 * @param accessLog      one log line per request, off by default
 */
public record ServerOptions(String host, int port, long maxBodyBytes, int maxHeaderBytes, int maxConnections,
        Duration requestDeadline, Optional<Path> tlsCertificate, Optional<Path> tlsKey, boolean accessLog) {
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final Duration DEFAULT_REQUEST_DEADLINE = Duration.ofSeconds(30);

    public ServerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535 || maxBodyBytes < 1 || maxHeaderBytes < 1024 || maxConnections < 1
                || requestDeadline.isNegative() || requestDeadline.isZero()) {
            throw new IllegalArgumentException("invalid server options: " + port + ", " + maxBodyBytes + ", "
                    + maxHeaderBytes + ", " + maxConnections + ", " + requestDeadline);
        }
        if (tlsCertificate.isPresent() != tlsKey.isPresent()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
    }

    /** Plain HTTP on {@code host:port} with the default limits and {@code maxBodyBytes}. */
    public static ServerOptions of(String host, int port, long maxBodyBytes) {
        return new ServerOptions(host, port, maxBodyBytes, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_REQUEST_DEADLINE, Optional.empty(), Optional.empty(), false);
    }

    public ServerOptions withTls(Optional<Path> certificate, Optional<Path> key) {
        return new ServerOptions(host, port, maxBodyBytes, maxHeaderBytes, maxConnections, requestDeadline,
                certificate, key, accessLog);
    }

    public ServerOptions withLimits(int maxHeaderBytes, int maxConnections, Duration requestDeadline) {
        return new ServerOptions(host, port, maxBodyBytes, maxHeaderBytes, maxConnections, requestDeadline,
                tlsCertificate, tlsKey, accessLog);
    }

    public ServerOptions withAccessLog(boolean on) {
        return new ServerOptions(host, port, maxBodyBytes, maxHeaderBytes, maxConnections, requestDeadline,
                tlsCertificate, tlsKey, on);
    }

    public boolean tls() {
        return tlsCertificate.isPresent();
    }
}
