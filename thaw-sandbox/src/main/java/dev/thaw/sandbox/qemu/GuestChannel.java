package dev.thaw.sandbox.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host end of the channel to the guest agent ({@code guest/agent/thaw_agent.py}),
 * carried by a serial port whose QEMU backend is a Unix socket of this VM's own.
 * A frame is one line of JSON (the header, with {@code len}) followed by
 * {@code len} body bytes. Requests carry an id; the agent's reply carries it back.
 */
final class GuestChannel implements AutoCloseable {
    /** The longest header line a guest may send, in bytes. */
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** The largest frame body a guest may send (a response, an error text), in bytes. */
    static final int MAX_FRAME_BYTES = 32 << 20;

    /** The guest broke the frame protocol's bounds; the channel, and so the VM, is of no further use. */
    static final class ProtocolViolation extends IOException {
        ProtocolViolation(String message) {
            super(message);
        }
    }

    /** One frame from the guest. */
    record Frame(JsonNode header, byte[] body) {
        String type() {
            return header.path("t").asText();
        }
    }

    private final SocketChannel channel;
    private final Map<Long, CompletableFuture<Frame>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Frame> ready = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private volatile String closedReason;
    private volatile boolean violated;

    GuestChannel(SocketChannel channel) {
        this.channel = channel;
        this.reader = Thread.ofVirtual().name("guest-channel").start(this::readFrames);
    }

    /** Waits for the agent's {@code ready} or {@code init_error} frame. */
    Frame awaitReady(Duration timeout) throws IOException, TimeoutException {
        return await(ready, timeout);
    }

    /** Sends a request and waits for the reply with the same id. */
    Frame request(String type, Map<String, ?> fields, byte[] body, Duration timeout)
            throws IOException, TimeoutException {
        long id = ids.incrementAndGet();
        CompletableFuture<Frame> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            send(type, id, fields, body);
            return await(reply, timeout);
        } finally {
            pending.remove(id);
        }
    }

    private synchronized void send(String type, long id, Map<String, ?> fields, byte[] body) throws IOException {
        if (closedReason != null) {
            throw new IOException("guest channel closed: " + closedReason);
        }
        ObjectNode header = Json.mapper().createObjectNode().put("t", type).put("id", id).put("len", body.length);
        fields.forEach((key, value) -> header.set(key, Json.mapper().valueToTree(value)));
        byte[] head = (Json.write(header) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer[] buffers = {ByteBuffer.wrap(head), ByteBuffer.wrap(body)};
        try {
            while (buffers[1].hasRemaining() || buffers[0].hasRemaining()) {
                channel.write(buffers);
            }
        } catch (IOException e) {
            // The reader may have closed the channel under this write: its reason says why.
            String reason = closedReason;
            throw reason == null ? e : new IOException("guest channel closed: " + reason, e);
        }
    }

    private static Frame await(CompletableFuture<Frame> future, Duration timeout)
            throws IOException, TimeoutException {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the guest", e);
        }
    }

    private void readFrames() {
        FrameReader in = new FrameReader(channel);
        String reason = "guest closed the channel (VM stopped?)";
        try {
            while (true) {
                Frame frame = in.next();
                if (frame == null) {
                    break;
                }
                dispatch(frame);
            }
        } catch (ProtocolViolation e) {
            reason = "the guest broke the channel protocol: " + e.getMessage();
            violated = true;
        } catch (IOException e) {
            reason = "guest channel failed: " + e.getMessage();
        } finally {
            closedReason = reason; // before the close, so that a write it breaks can name the reason
            if (violated) {
                try {
                    channel.close(); // read no further from a guest that ignores the bounds
                } catch (IOException ignored) {
                    // already gone
                }
            }
            IOException failure = new IOException(reason);
            ready.completeExceptionally(failure);
            pending.values().forEach(f -> f.completeExceptionally(failure));
        }
    }

    private void dispatch(Frame frame) {
        switch (frame.type()) {
            case "ready", "init_error" -> ready.complete(frame);
            default -> {
                CompletableFuture<Frame> reply = pending.get(frame.header().path("id").asLong(-1));
                if (reply != null) {
                    reply.complete(frame);
                }
            }
        }
    }

    /** Why the guest end can no longer be trusted (it broke the protocol's bounds), if it did. */
    java.util.Optional<String> violation() {
        return violated ? java.util.Optional.of(closedReason) : java.util.Optional.empty();
    }

    @Override
    public void close() {
        if (closedReason == null) {
            closedReason = "closed by the host";
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
        reader.interrupt();
    }

    /** Splits the byte stream into frames; skips lines that are not frame headers. */
    private static final class FrameReader {
        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);

        FrameReader(SocketChannel channel) {
            this.channel = channel;
            buffer.flip();
        }

        Frame next() throws IOException {
            while (true) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                while (true) {
                    if (!buffer.hasRemaining() && !fill()) {
                        return null;
                    }
                    byte b = buffer.get();
                    if (b == '\n') {
                        break;
                    }
                    if (line.size() >= MAX_HEADER_BYTES) {
                        throw new ProtocolViolation("a header line is longer than " + MAX_HEADER_BYTES + " bytes");
                    }
                    line.write(b);
                }
                JsonNode header = parseHeader(line.toByteArray());
                if (header == null) {
                    continue; // noise before the agent's first frame
                }
                JsonNode len = header.path("len");
                if (!len.isMissingNode() && !len.canConvertToLong()) {
                    throw new ProtocolViolation("a frame header's len is not a number");
                }
                long declared = len.asLong(0);
                if (declared < 0 || declared > MAX_FRAME_BYTES) {
                    throw new ProtocolViolation("a frame declares " + declared + " bytes; the limit is "
                            + MAX_FRAME_BYTES);
                }
                int length = (int) declared;
                byte[] body = new byte[length];
                int filled = 0;
                while (filled < length) {
                    if (!buffer.hasRemaining() && !fill()) {
                        return null;
                    }
                    int n = Math.min(buffer.remaining(), length - filled);
                    buffer.get(body, filled, n);
                    filled += n;
                }
                return new Frame(header, body);
            }
        }

        private static JsonNode parseHeader(byte[] line) {
            try {
                JsonNode header = Json.mapper().readTree(line);
                return header != null && header.isObject() && header.has("t") ? header : null;
            } catch (IOException notJson) {
                return null;
            }
        }

        private boolean fill() throws IOException {
            buffer.clear();
            int n;
            do {
                n = channel.read(buffer);
            } while (n == 0);
            buffer.flip();
            return n > 0;
        }
    }
}
