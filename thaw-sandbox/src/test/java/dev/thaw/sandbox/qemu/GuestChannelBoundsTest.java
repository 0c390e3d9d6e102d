package dev.thaw.sandbox.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fake guest end of the channel (a Unix socket) that exceeds the frame and header bounds. */
class GuestChannelBoundsTest {
    @TempDir
    Path dir;
    private SocketChannel guest;
    private GuestChannel host;

    @BeforeEach
    void connect() throws IOException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("agent.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(address);
            SocketChannel hostEnd = SocketChannel.open(address);
            guest = server.accept();
            host = new GuestChannel(hostEnd);
        }
    }

    @AfterEach
    void close() throws IOException {
        host.close();
        guest.close();
    }

    private void guestWrites(String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            guest.write(buffer);
        }
    }

    @Test
    void aWellFormedReplyComesBack() throws Exception {
        // The guest answers once it has the request: a reply that came first would name no request yet.
        Thread answer = Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer one = ByteBuffer.allocate(1);
                do {
                    one.clear();
                    if (guest.read(one) < 0) {
                        return;
                    }
                } while (one.get(0) != '\n');
                guestWrites("{\"t\":\"result\",\"id\":1,\"ok\":true,\"len\":2}\nhi");
            } catch (IOException e) {
                // the host closed its end; the request below fails and says why
            }
        });
        GuestChannel.Frame reply = host.request("invoke", Map.of(), new byte[0], Duration.ofSeconds(10));
        answer.join(Duration.ofSeconds(10));
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("hi");
        assertThat(host.violation()).isEmpty();
    }

    @Test
    void aTwoGigabyteLengthFailsTheRequestWithoutAllocatingIt() throws Exception {
        guestWrites("{\"t\":\"result\",\"id\":1,\"ok\":true,\"len\":2147483648}\n");
        assertThatThrownBy(() -> host.request("invoke", Map.of(), new byte[0], Duration.ofSeconds(10)))
                .isInstanceOf(IOException.class).hasMessageContaining("declares 2147483648 bytes; the limit is "
                        + GuestChannel.MAX_FRAME_BYTES);
        assertThat(host.violation()).get().asString().contains("broke the channel protocol");
    }

    @Test
    void aLengthJustOverTheLimitOrNegativeIsRefused() throws Exception {
        guestWrites("{\"t\":\"result\",\"id\":1,\"ok\":true,\"len\":-5}\n");
        assertThatThrownBy(() -> host.request("invoke", Map.of(), new byte[0], Duration.ofSeconds(10)))
                .isInstanceOf(IOException.class).hasMessageContaining("declares -5 bytes");
    }

    @Test
    void anEndlessHeaderLineFailsTheRequest() throws Exception {
        Thread flood = Thread.ofVirtual().start(() -> {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) '{');
            try {
                for (int i = 0; i < 1024; i++) { // 64 MiB unless the host hangs up first
                    ByteBuffer buffer = ByteBuffer.wrap(chunk);
                    while (buffer.hasRemaining()) {
                        guest.write(buffer);
                    }
                }
            } catch (IOException expected) {
                // the host closed its end
            }
        });
        assertThatThrownBy(() -> host.request("invoke", Map.of(), new byte[0], Duration.ofSeconds(30)))
                .isInstanceOf(IOException.class).hasMessageContaining("header line is longer than "
                        + GuestChannel.MAX_HEADER_BYTES + " bytes");
        flood.join(Duration.ofSeconds(30));
        assertThat(flood.isAlive()).as("the host stopped reading and hung up").isFalse();
    }
}
