package dev.thaw.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * An HTTP client for one peer on Helidon's WebClient: pooled keep-alive connections
 * ({@link ConnectionPool}), a deadline on the whole call (not per read), a cap on the response
 * body, and TLS verified against a CA file when configured. A call on a pooled connection runs on
 * the caller's thread, platform or virtual; one that needs a new connection runs on a virtual
 * thread, so that its connect can be interrupted. A call that passes its deadline has its
 * connection closed and its thread interrupted. {@link #abortAll()} does the same to every call in
 * flight, so callers blocked on a peer that died fail at once.
 *
 * <p>Requests are never retried, except one that went out on a pooled connection the peer had
 * closed (it ended before a status line, so no handler ran it): a POST that may have run must not
 * run twice.
 */
public final class Client implements AutoCloseable {
    /** One daemon thread for every client; it only interrupts callers and closes their sockets. */
    private static final Deadlines DEADLINES = new Deadlines("thaw-http-deadlines", System::nanoTime);

    private final URI base;
    private final Map<String, String> defaultHeaders;
    private final ClientOptions options;
    private final WebClient web;
    private final ConnectionPool pool;
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** @param defaultHeaders sent with every call, e.g. {@code Authorization} */
    public Client(URI base, Map<String, String> defaultHeaders, ClientOptions options) {
        String scheme = base.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("only http:// and https:// peers are supported, got " + base);
        }
        this.base = base;
        this.defaultHeaders = Map.copyOf(defaultHeaders);
        this.options = options;
        var builder = WebClient.builder()
                .baseUri(base)
                .connectTimeout(options.connectTimeout())
                .followRedirects(false)
                .keepAlive(true)
                .shareConnectionCache(false)
                .sendExpectContinue(false)
                .maxInMemoryEntity(0)
                .servicesDiscoverServices(false)
                // a request larger than one buffer goes out in several writes: Nagle would hold the last
                .socketOptions(s -> s.tcpNoDelay(true).connectTimeout(options.connectTimeout()));
        options.tlsCa().ifPresent(ca -> builder.tls(TlsFiles.client(ca)));
        this.web = builder.build();
        this.pool = new ConnectionPool(web, base, System::nanoTime);
    }

    /**
     * Loads the HTTP client's classes now: the first client of a process costs about a second of
     * class loading on a busy host, which a server pays at start rather than in its first request.
     */
    public static void prepare() {
        WebClient.builder().servicesDiscoverServices(false).build().closeResource();
    }

    /** With {@code Authorization: Bearer <token>} on every call. */
    public static Client bearer(URI base, String token, ClientOptions options) {
        return new Client(base, Map.of("Authorization", "Bearer " + token), options);
    }

    public URI base() {
        return base;
    }

    /** A response body over the client's cap; the connection it came on is closed. */
    public static final class ResponseTooLarge extends IOException {
        public ResponseTooLarge(long limit) {
            super("the peer's response body is larger than the limit of " + limit + " bytes");
        }
    }

    /**
     * Sends one request and reads the whole response.
     *
     * @param path resolved against the base URL
     * @param body null or empty for none
     * @throws HttpTimeoutException when no complete answer came within {@code timeout}
     * @throws IOException when the peer cannot be reached, broke the connection or sent too much
     */
    public Response send(String method, String path, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        if (closed) {
            throw new IOException("client for " + base + " is closed");
        }
        if (Thread.currentThread().isVirtual()) {
            return call(method, path, headers, body, timeout);
        }
        // On a pooled connection the deadline closes the socket, which ends a platform thread's read too,
        // so the call runs right here. Opening a connection is left to a virtual thread, whose connect an
        // interrupt ends.
        long start = System.nanoTime();
        TcpClientConnection pooled = pool.take();
        if (pooled != null) {
            try {
                return callOnce(pooled, method, path, headers, body, timeout);
            } catch (IOException e) {
                timeout = leftToResend(e, timeout, start);
            }
        }
        return onVirtualThread(method, path, headers, body, timeout);
    }

    private Response onVirtualThread(String method, String path, Map<String, String> headers, byte[] body,
            Duration timeout) throws IOException {
        // Waiting on a CompletableFuture lets a ForkJoin pool add a worker meanwhile (FutureTask.get would not).
        CompletableFuture<Response> result = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().name("thaw-http-call").start(() -> {
            try {
                result.complete(call(method, path, headers, body, timeout));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + base, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    /** On a virtual thread: a pooled connection, or a new one when there is none or the pooled one was stale. */
    private Response call(String method, String path, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        long start = System.nanoTime();
        TcpClientConnection pooled = pool.take();
        if (pooled != null) {
            try {
                return callOnce(pooled, method, path, headers, body, timeout);
            } catch (IOException e) {
                timeout = leftToResend(e, timeout, start);
            }
        }
        return callOnce(null, method, path, headers, body, timeout);
    }

    /**
     * What is left of the deadline when a call on a pooled connection may be sent again; else rethrows.
     * A connection that ended before the first byte of a status line is most likely one the peer closed
     * while it sat idle, so the request reached no handler there.
     */
    private Duration leftToResend(IOException e, Duration timeout, long start) throws IOException {
        Duration left = timeout.minusNanos(System.nanoTime() - start);
        if (!noStatusLine(e) || closed || left.isNegative() || left.isZero()) {
            throw e;
        }
        return left;
    }

    /** Whether the connection ended before the first byte of a status line (not a timeout or an abort). */
    private static boolean noStatusLine(IOException e) {
        if (e instanceof HttpTimeoutException || e.getMessage() != null && e.getMessage().contains("aborted")) {
            return false;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("InsufficientDataAvailableException")) {
                return java.util.Arrays.stream(t.getStackTrace())
                        .anyMatch(f -> f.getClassName().endsWith("Http1StatusParser"));
            }
        }
        return false;
    }

    /** @param pooled the connection to use; null to open one (only on a virtual thread) */
    private Response callOnce(TcpClientConnection pooled, String method, String path, Map<String, String> headers,
            byte[] body, Duration timeout) throws IOException {
        Call call = new Call(Thread.currentThread());
        inFlight.add(call);
        call.deadline = DEADLINES.after(timeout.toNanos(), call::expire);
        try {
            TcpClientConnection connection = pooled != null ? pooled : pool.open();
            call.use(connection);
            HttpClientRequest request = web.method(Method.create(method.toUpperCase(Locale.ROOT)))
                    .uri(base.resolve(path))
                    .connection(connection)
                    .readTimeout(timeout)
                    .headers(h -> {
                        defaultHeaders.forEach((k, v) -> h.set(HeaderNames.create(k), v));
                        headers.forEach((k, v) -> h.set(HeaderNames.create(k), v));
                    });
            try (HttpClientResponse response = body == null || body.length == 0
                    ? request.request() : request.submit(body)) {
                return read(response);
            }
        } catch (UncheckedIOException | IOException | IllegalStateException | IllegalArgumentException e) {
            throw failure(call, timeout, e);
        } catch (RuntimeException e) {
            // Helidon reports a connection that ended early as a runtime exception of its buffers
            throw failure(call, timeout, e);
        } finally {
            inFlight.remove(call);
            call.finish();
        }
    }

    private IOException failure(Call call, Duration timeout, Exception e) {
        if (e instanceof ResponseTooLarge tooLarge) {
            return tooLarge;
        }
        if (call.expired()) {
            HttpTimeoutException timedOut = new HttpTimeoutException("no complete answer from " + base + " within "
                    + timeout.toMillis() + " ms");
            timedOut.initCause(e);
            return timedOut;
        }
        if (call.aborted) {
            return new IOException("the call to " + base + " was aborted: the peer is gone", e);
        }
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (cause instanceof java.net.SocketTimeoutException) {
            HttpTimeoutException timedOut = new HttpTimeoutException("no answer from " + base + " within "
                    + timeout.toMillis() + " ms");
            timedOut.initCause(cause);
            return timedOut;
        }
        if (cause instanceof IOException io && !(e instanceof UncheckedIOException)) {
            return io;
        }
        return new IOException("the call to " + base + " failed: " + cause.getMessage(), cause);
    }

    private Response read(HttpClientResponse response) throws IOException {
        int max = options.maxBodyBytes();
        var declared = response.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw new ResponseTooLarge(max);
        }
        byte[] body;
        try (InputStream in = response.inputStream()) {
            body = in.readNBytes(max + 1);
        }
        if (body.length > max) {
            throw new ResponseTooLarge(max);
        }
        Map<String, List<String>> headers = new TreeMap<>();
        response.headers().forEach(h -> headers.computeIfAbsent(h.name().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>()).addAll(h.allValues()));
        headers.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new Response(response.status().code(), Collections.unmodifiableMap(headers), body);
    }

    /** Ends every call in flight now (their connections close); later calls open new ones. */
    public void abortAll() {
        inFlight.forEach(Call::abort);
    }

    @Override
    public void close() {
        closed = true;
        abortAll();
        pool.close();
        web.closeResource();
    }

    /** One call in flight: its thread, interrupted when its deadline passes or it is aborted. */
    private static final class Call {
        private final Thread thread;
        private volatile Deadlines.Deadline deadline;
        private TcpClientConnection connection;
        private boolean done;
        private boolean expired;
        volatile boolean aborted;

        Call(Thread thread) {
            this.thread = thread;
        }

        /** The connection the call runs on; closed at once when the call already ended. */
        synchronized void use(TcpClientConnection connection) {
            this.connection = connection;
            if (expired || aborted) {
                connection.closeResource();
            }
        }

        synchronized void expire() {
            if (!done) {
                expired = true;
                stop();
            }
        }

        synchronized void abort() {
            if (!done) {
                aborted = true;
                stop();
            }
        }

        /** Closing the socket ends a platform thread's read; the interrupt ends a virtual thread's connect. */
        private void stop() {
            thread.interrupt();
            if (connection != null) {
                connection.closeResource();
            }
        }

        synchronized boolean expired() {
            return expired;
        }

        /** No interrupt reaches the thread after this; one that came is cleared. */
        synchronized void finish() {
            done = true;
            Deadlines.Deadline d = deadline;
            if (d != null) {
                d.cancel();
            }
            if (expired || aborted) {
                Thread.interrupted();
            }
        }
    }
}
