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

/**
 * The whole-request deadline: from the request line until the request is read (its headers, or
 * its body when it has one) or answered, whichever comes first. A client still sending when it
 * passes has its connection closed, so a slow client holds a connection for at most the deadline.
 * (Before the request line, the server's idle-connection check closes a silent connection.)
 */
final class RequestDeadline implements Http1ConnectionListener {
    private static final Deadlines TIMER = new Deadlines("thaw-http-request-deadline", System::nanoTime);
    /** Requests whose body is still to be read, by connection. */
    private static final Map<String, Deadlines.Deadline> READING_BODY = new ConcurrentHashMap<>();

    private final Duration deadline;
    private final Map<String, Deadlines.Deadline> pending = new ConcurrentHashMap<>();

    RequestDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        Deadlines.Deadline close = TIMER.after(deadline.toNanos(), () -> ctx.serverSocket().close());
        Deadlines.Deadline old = pending.put(ctx.childSocketId(), close);
        if (old != null) {
            old.cancel();
        }
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        boolean body = headers.contentLength().orElse(0) > 0 || headers.contains(HeaderNames.TRANSFER_ENCODING);
        Deadlines.Deadline close = pending.remove(ctx.childSocketId());
        if (close == null) {
            return;
        }
        if (body) {
            READING_BODY.put(ctx.childSocketId(), close);
        } else {
            close.cancel();
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
        Deadlines.Deadline close = READING_BODY.remove(socketId);
        if (close != null) {
            close.cancel();
        }
    }
}
