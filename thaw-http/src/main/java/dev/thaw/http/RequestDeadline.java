package dev.thaw.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The whole-request deadline: from the request line until the request is read (its headers, or
 * its body when it has one) or answered, whichever comes first. A client still sending when it
 * passes has its connection closed, so a slow client holds a connection for at most the deadline.
 * (Before the request line, the server's idle-connection check closes a silent connection.)
 */
final class RequestDeadline implements Http1ConnectionListener {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("thaw-http-request-deadline").factory());
    /** Requests whose body is still to be read, by connection. */
    private static final Map<String, ScheduledFuture<?>> READING_BODY = new ConcurrentHashMap<>();

    private final Duration deadline;
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();

    RequestDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        ScheduledFuture<?> close = TIMER.schedule(() -> ctx.serverSocket().close(), deadline.toNanos(),
                TimeUnit.NANOSECONDS);
        ScheduledFuture<?> old = pending.put(ctx.childSocketId(), close);
        if (old != null) {
            old.cancel(false);
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        boolean body = headers.contentLength().orElse(0) > 0 || headers.contains(HeaderNames.TRANSFER_ENCODING);
        ScheduledFuture<?> close = pending.remove(ctx.childSocketId());
        if (close == null) {
            return;
        }
        if (body) {
            READING_BODY.put(ctx.childSocketId(), close);
        } else {
            close.cancel(false);
        }
    }

    @Override
    public void status(ConnectionContext ctx, Status status) {
        cancel(ctx.childSocketId());
    }

    /** The body of the request on connection {@code socketId} has been read. */
    static void bodyRead(String socketId) {
        cancel(socketId);
    }

    private static void cancel(String socketId) {
        ScheduledFuture<?> close = READING_BODY.remove(socketId);
        if (close != null) {
            close.cancel(false);
        }
    }
}
