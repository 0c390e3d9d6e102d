package dev.thaw.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.http.Client;
import dev.thaw.http.ClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A hostile peer (a raw ServerSocket) answering with bodies past the client's cap. */
class ResponseBoundsTest {
    private static final int CAP = 1 << 20;
    private ServerSocket server;
    private Thread peer;

    @AfterEach
    void close() throws Exception {
        server.close();
        peer.join(Duration.ofSeconds(10));
        assertThat(peer.isAlive()).isFalse();
    }

    /** Serves one connection: reads the request head, writes {@code head}, then up to 64 MiB of body. */
    private URI peer(String head, boolean chunked) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        peer = Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept(); InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream()) {
                byte[] request = new byte[4096];
                in.read(request); // enough of a small request
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 1024; i++) {
                    if (chunked) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(chunk);
                    if (chunked) {
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            } catch (IOException expected) {
                // the client hung up once past its cap
            }
        });
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
    }

    private static void assertTooLarge(URI uri) {
        try (Client client = Client.bearer(uri, "t", ClientOptions.of(Duration.ofSeconds(2)).withMaxBodyBytes(CAP))) {
            assertThatThrownBy(() -> client.send("GET", "v1/x", Map.of(), null, Duration.ofSeconds(30)))
                    .isInstanceOf(Client.ResponseTooLarge.class)
                    .hasMessageContaining("larger than the limit of " + CAP + " bytes");
        }
    }

    @Test
    void aDeclaredHugeBodyIsRefusedBeforeReading() throws Exception {
        assertTooLarge(peer("HTTP/1.1 200 OK\r\nContent-Length: 2147483648000\r\n\r\n", false));
    }

    @Test
    void aBodyWithoutLengthStopsAtTheCap() throws Exception {
        assertTooLarge(peer("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", false));
    }

    @Test
    void chunksAddUpToTheCap() throws Exception {
        assertTooLarge(peer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true));
    }

    @Test
    void theApiClientCapsToo() throws Exception {
        URI uri = peer("HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n", false);
        ApiClient client = new ApiClient(uri, "t", Duration.ofSeconds(2), CAP);
        assertThatThrownBy(() -> client.call("GET", "v1/x", null, Map.of(), Duration.ofSeconds(30)))
                .isInstanceOf(Client.ResponseTooLarge.class);
    }
}
