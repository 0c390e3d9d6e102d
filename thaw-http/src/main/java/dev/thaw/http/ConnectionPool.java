package dev.thaw.http;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.LongSupplier;

/**
 * The keep-alive connections of one {@link Client} to its peer. Helidon's own connection cache
 * starts a virtual thread per returned connection that reads one byte to notice a peer closing
 * it; the next call on that connection then waits for that thread to hand over the first byte of
 * its answer, two thread switches per call. Here an idle connection is only held: one the peer
 * closed meanwhile fails before its status line, which the client resends on a new connection,
 * and one idle longer than {@link #MAX_IDLE_NANOS} is not used again.
 */
final class ConnectionPool implements AutoCloseable {
    /** Well under the idle timeout of Thaw's servers (their request deadline, 30 s by default). */
    static final long MAX_IDLE_NANOS = 10_000_000_000L;
    private static final List<String> ALPN = List.of("http/1.1");

    private record Idle(TcpClientConnection connection, long since) {
    }

    private final WebClient web;
    private final ConnectionKey key;
    private final LongSupplier nanoTime;
    /** Most recently used first, so a quiet period leaves the stale ones at the tail. */
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    ConnectionPool(WebClient web, URI peer, LongSupplier nanoTime) {
        this.web = web;
        this.nanoTime = nanoTime;
        WebClientConfig config = web.prototype();
        boolean https = "https".equals(peer.getScheme());
        Tls tls = https ? config.tls() : Tls.builder().enabled(false).build();
        int port = peer.getPort() >= 0 ? peer.getPort() : https ? 443 : 80;
        this.key = ConnectionKey.create(peer.getScheme(), peer.getHost(), port, tls, config.dnsResolver(),
                config.dnsAddressLookup(), config.proxy());
    }

    /** An idle connection that is still fresh, or null when there is none. */
    TcpClientConnection take() {
        long now = nanoTime.getAsLong();
        Idle next;
        while ((next = idle.pollFirst()) != null) {
            if (now - next.since() <= MAX_IDLE_NANOS && next.connection().isConnected()) {
                return next.connection();
            }
            next.connection().closeResource();
        }
        return null;
    }

    /** Opens a new connection (within the client's connect timeout); it returns here when its answer was read. */
    TcpClientConnection open() {
        return TcpClientConnection.create(web, key, ALPN, this::release, connection -> { }).connect();
    }

    /** Called by Helidon when a response was read to its end on a keep-alive connection. */
    private boolean release(TcpClientConnection connection) {
        if (closed || !connection.isConnected()) {
            return false;
        }
        long now = nanoTime.getAsLong();
        idle.offerFirst(new Idle(connection, now));
        if (closed) {
            drain();
        }
        closeStale(now);
        return true;
    }

    /** Closes the connections left idle at the tail since a burst of calls, which the next take would not reach. */
    private void closeStale(long now) {
        Idle last;
        while ((last = idle.peekLast()) != null && now - last.since() > MAX_IDLE_NANOS) {
            if (idle.removeLastOccurrence(last)) {
                last.connection().closeResource();
            }
        }
    }

    /** How many connections are idle now. */
    int idleCount() {
        return idle.size();
    }

    @Override
    public void close() {
        closed = true;
        drain();
    }

    private void drain() {
        Idle next;
        while ((next = idle.pollFirst()) != null) {
            next.connection().closeResource();
        }
    }
}
