package dev.thaw.node.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A small blocking HTTP/1.1 client for one peer, keeping connections open
 * between calls. The gateway calls nodes on every invocation, and the JDK's
 * asynchronous client hands each call across several threads, which costs
 * more than the gateway's own work; here a call is one write and reads on the
 * caller's (virtual) thread. {@link #abortAll()} closes every connection, so
 * callers blocked on a peer that died fail at once.
 *
 * <p>Requests are never retried: a POST that may have run must not run twice.
 * Idle connections are dropped well before the JDK server's idle timeout
 * (30 s), so a call never goes out on a connection the server is closing.
 */
public final class PooledHttpClient implements AutoCloseable {
    private static final long MAX_IDLE_NANOS = Duration.ofSeconds(15).toNanos();
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    /** The default cap on a response body: well above a function's response, far below the heap. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 << 20;

    private final URI base;
    private final String authorization;
    private final int connectTimeoutMs;
    private final int maxBodyBytes;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final Set<Connection> busy = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public PooledHttpClient(URI base, String token, Duration connectTimeout) {
        this(base, token, connectTimeout, DEFAULT_MAX_BODY_BYTES);
    }

    /** @param maxBodyBytes a response body larger than this fails the call (the connection is dropped) */
    public PooledHttpClient(URI base, String token, Duration connectTimeout, int maxBodyBytes) {
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
        if (!"http".equals(base.getScheme())) {
            throw new IllegalArgumentException("only http:// peers are supported, got " + base);
        }
        this.base = base;
        this.authorization = "Bearer " + token;
        this.connectTimeoutMs = (int) connectTimeout.toMillis();
    }

    /** A response body over the client's cap; the connection it came on is closed. */
    public static final class ResponseTooLarge extends IOException {
        public ResponseTooLarge(long limit) {
            super("the peer's response body is larger than the limit of " + limit + " bytes");
        }
    }

    /** A response: status, headers (names lower-cased), body. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public java.util.Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? java.util.Optional.empty()
                    : java.util.Optional.of(values.getFirst());
        }
    }

    /**
     * Sends one request and reads the whole response.
     *
     * @throws HttpTimeoutException when no complete answer came within {@code timeout}
     * @throws IOException when the peer cannot be reached or the connection broke
     */
    public Response send(String method, String path, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        if (closed) {
            throw new IOException("client for " + base + " is closed");
        }
        Connection connection = take(maxBodyBytes);
        busy.add(connection);
        boolean reusable = false;
        try {
            connection.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            connection.write(request(method, path, headers, body));
            Response response = connection.read();
            reusable = !"close".equalsIgnoreCase(response.header("connection").orElse(""));
            return response;
        } catch (SocketTimeoutException e) {
            throw new HttpTimeoutException("no answer from " + base + " within " + timeout.toMillis() + " ms");
        } finally {
            busy.remove(connection);
            if (reusable && !closed) {
                connection.lastUsed = System.nanoTime();
                idle.addFirst(connection);
            } else {
                connection.close();
            }
        }
    }

    private byte[] request(String method, String path, Map<String, String> headers, byte[] body) {
        URI uri = base.resolve(path);
        String target = uri.getRawPath();
        String query = uri.getRawQuery();
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target)
                .append(query == null ? "" : "?" + query).append(" HTTP/1.1\r\nHost: ").append(base.getHost())
                .append(':').append(base.getPort()).append("\r\nAuthorization: ").append(authorization)
                .append("\r\nContent-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return start;
        }
        byte[] all = new byte[start.length + body.length];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(body, 0, all, start.length, body.length);
        return all;
    }

    private Connection take(int maxBody) throws IOException {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (System.nanoTime() - connection.lastUsed < MAX_IDLE_NANOS && !connection.socket.isClosed()) {
                return connection;
            }
            connection.close();
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), connectTimeoutMs);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new Connection(socket, maxBody);
    }

    /** Closes every connection, idle or in use: calls blocked on them fail now. */
    public void abortAll() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.close();
        }
        busy.forEach(Connection::close);
    }

    @Override
    public void close() {
        closed = true;
        abortAll();
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final int maxBody;
        volatile long lastUsed = System.nanoTime();

        Connection(Socket socket, int maxBody) throws IOException {
            this.socket = socket;
            this.maxBody = maxBody;
            this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            this.out = socket.getOutputStream();
        }

        void write(byte[] request) throws IOException {
            out.write(request);
            out.flush();
        }

        Response read() throws IOException {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response: '" + statusLine + "'");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("malformed status in the response");
            }
            Map<String, List<String>> headers = new TreeMap<>();
            int headerBytes = 0;
            String line;
            while (!(line = line()).isEmpty()) {
                headerBytes += line.length();
                if (headerBytes > MAX_HEADER_BYTES) {
                    throw new IOException("response headers larger than " + MAX_HEADER_BYTES + " bytes");
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
                }
            }
            byte[] body;
            String length = first(headers, "content-length");
            if ("chunked".equalsIgnoreCase(first(headers, "transfer-encoding"))) {
                body = chunked();
            } else if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.strip());
                } catch (NumberFormatException e) {
                    throw new IOException("malformed Content-Length in the response");
                }
                if (declared < 0 || declared > maxBody) {
                    throw tooLarge();
                }
                body = in.readNBytes((int) declared);
                if (body.length < declared) {
                    throw new EOFException("connection closed in the middle of the response body");
                }
            } else if (status == 204 || status == 304 || status / 100 == 1) {
                body = new byte[0];
            } else {
                body = in.readNBytes(maxBody + 1); // no length: the body ends with the connection
                if (body.length > maxBody) {
                    throw tooLarge();
                }
                headers.put("connection", List.of("close"));
            }
            headers.replaceAll((k, v) -> Collections.unmodifiableList(v));
            return new Response(status, Collections.unmodifiableMap(headers), body);
        }

        private byte[] chunked() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line();
                int semicolon = size.indexOf(';');
                long length;
                try {
                    length = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size in the response");
                }
                if (length < 0 || body.size() + length > maxBody) {
                    throw tooLarge();
                }
                if (length == 0) {
                    while (!line().isEmpty()) {
                        // trailers are ignored
                    }
                    return body.toByteArray();
                }
                byte[] chunk = in.readNBytes((int) length);
                if (chunk.length < length) {
                    throw new EOFException("connection closed in the middle of a chunk");
                }
                body.write(chunk);
                line();
            }
        }

        private IOException tooLarge() {
            return new ResponseTooLarge(maxBody);
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) c);
                if (line.length() > MAX_HEADER_BYTES) {
                    throw new IOException("response line longer than " + MAX_HEADER_BYTES + " bytes");
                }
            }
            throw new EOFException("connection closed before the response was complete");
        }

        private static String first(Map<String, List<String>> headers, String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket that failed already
            }
        }
    }
}
