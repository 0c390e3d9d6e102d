package dev.thaw.sandbox.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU Machine Protocol client: one JSON object per line in each direction.
 * Commands are answered in order, so {@link #execute} sends one and waits for
 * the next reply, skipping asynchronous events. A reader thread keeps the
 * socket drained so a dead QEMU shows up as a closed channel, not a hang.
 */
final class QmpClient implements AutoCloseable {
    /** Put in the line queue when the connection ends; compared by identity. */
    private static final String CLOSED = new String("closed");

    private final SocketChannel channel;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private QmpClient(SocketChannel channel) {
        this.channel = channel;
        this.reader = Thread.ofVirtual().name("qmp-reader").start(this::readLines);
    }

    /** Reads the greeting and leaves capabilities negotiation mode. */
    static QmpClient open(SocketChannel channel, Duration timeout) throws IOException {
        QmpClient client = new QmpClient(channel);
        try {
            JsonNode greeting = Json.mapper().readTree(client.nextLine(timeout));
            if (!greeting.has("QMP")) {
                throw new IOException("not a QMP greeting: " + greeting);
            }
            client.execute("qmp_capabilities", Map.of(), timeout);
            return client;
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * Runs a command and returns its {@code return} value.
     *
     * @throws IOException if QEMU answers with an error, closes, or does not answer in time
     */
    synchronized JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws IOException {
        ObjectNode message = Json.mapper().createObjectNode().put("execute", command);
        if (!arguments.isEmpty()) {
            message.set("arguments", Json.mapper().valueToTree(arguments));
        }
        byte[] bytes = (Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        while (true) {
            JsonNode reply = Json.mapper().readTree(nextLine(timeout));
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new IOException("QMP " + command + " failed: " + reply.get("error").path("desc").asText());
            }
            // an event: nothing waits for events yet
        }
    }

    private String nextLine(Duration timeout) throws IOException {
        String line;
        try {
            line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for QMP", e);
        }
        if (line == null) {
            throw new IOException("QMP did not answer within " + timeout.toMillis() + " ms");
        }
        if (line == CLOSED) {
            lines.add(CLOSED); // later callers must see it too
            throw new IOException("QMP connection closed (QEMU exited?)");
        }
        return line;
    }

    private void readLines() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        StringBuilder pending = new StringBuilder();
        try {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                pending.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
                int newline;
                while ((newline = pending.indexOf("\n")) >= 0) {
                    String line = pending.substring(0, newline).strip();
                    pending.delete(0, newline + 1);
                    if (!line.isEmpty()) {
                        lines.add(line);
                    }
                }
            }
        } catch (IOException closed) {
            // the channel was closed: by us, or because QEMU went away
        } finally {
            lines.add(CLOSED);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        reader.interrupt();
    }
}
