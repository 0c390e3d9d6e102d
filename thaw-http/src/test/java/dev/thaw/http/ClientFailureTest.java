package dev.thaw.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client against peers that misbehave on a real socket. */
class ClientFailureTest {
    private static final Duration TIMEOUT = Duration.ofMillis(800);

    private static Client client(RawPeer peer, int maxBody) {
        return new Client(peer.url(), Map.of(), ClientOptions.of(Duration.ofSeconds(2)).withMaxBodyBytes(maxBody));
    }

    @Test
    void aPeerThatTricklesPastTheDeadlineFailsTheCallAtItsDeadline() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        // a byte every 100 ms: no single read ever waits as long as the deadline
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            for (int i = 0; i < 1000 && !stop.await(100, TimeUnit.MILLISECONDS); i++) {
                RawPeer.write(out, "x");
            }
        }); Client client = client(peer, 1 << 20)) {
            assertThatThrownBy(() -> client.send("GET", "slow", Map.of(), null, TIMEOUT))
                    .isInstanceOf(HttpTimeoutException.class).hasMessageContaining("within 800 ms");
            stop.countDown();
        }
    }

    @Test
    void aPeerThatTricklesItsHeadersIsCutOffToo() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 1000 && !stop.await(100, TimeUnit.MILLISECONDS); i++) {
                RawPeer.write(out, "X-A" + i + ": b\r\n");
            }
        }); Client client = client(peer, 1 << 20)) {
            assertThatThrownBy(() -> client.send("GET", "slow", Map.of(), null, TIMEOUT))
                    .isInstanceOf(HttpTimeoutException.class);
            stop.countDown();
        }
    }

    @Test
    void aPeerThatClosesMidBodyFailsTheCall() throws Exception {
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
        }); Client client = client(peer, 1 << 20)) {
            assertThatThrownBy(() -> client.send("GET", "cut", Map.of(), null, TIMEOUT))
                    .isInstanceOf(IOException.class).isNotInstanceOf(HttpTimeoutException.class);
        }
    }

    @Test
    void aChunkedBodyIsReadWhole() throws Exception {
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            while (true) {
                RawPeer.readRequest(in);
                RawPeer.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n1\r\n \r\n5\r\nthere\r\n0\r\n\r\n");
            }
        }); Client client = client(peer, 1 << 20)) {
            Response response = client.send("GET", "chunked", Map.of(), null, TIMEOUT);
            assertThat(response.status()).isEqualTo(200);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("hello there");
            // the connection was left clean for the next call
            assertThat(client.send("GET", "chunked", Map.of(), null, TIMEOUT).body()).hasSize(11);
            assertThat(peer.connections()).isEqualTo(1);
        }
    }

    @Test
    void aChunkedBodyOverTheCapFails() throws Exception {
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 64; i++) {
                RawPeer.write(out, "400\r\n" + "x".repeat(1024) + "\r\n");
            }
            RawPeer.write(out, "0\r\n\r\n");
        }); Client client = client(peer, 16 * 1024)) {
            assertThatThrownBy(() -> client.send("GET", "big", Map.of(), null, TIMEOUT))
                    .isInstanceOf(Client.ResponseTooLarge.class);
        }
    }

    @Test
    void aDeclaredLengthOverTheCapFailsBeforeReading() throws Exception {
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\nxx");
            in.read();
        }); Client client = client(peer, 1 << 20)) {
            assertThatThrownBy(() -> client.send("GET", "big", Map.of(), null, TIMEOUT))
                    .isInstanceOf(Client.ResponseTooLarge.class);
        }
    }

    @Test
    void aStalePooledConnectionIsNotUsedForTheNextCall() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            if (n == 1) {
                // keep-alive promised, then the peer drops the idle connection
                socket.close();
                closed.countDown();
            }
        }); Client client = client(peer, 1 << 20)) {
            assertThat(client.send("POST", "a", Map.of(), "1".getBytes(StandardCharsets.UTF_8), TIMEOUT).status())
                    .isEqualTo(200);
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            Response second = client.send("POST", "a", Map.of(), "2".getBytes(StandardCharsets.UTF_8), TIMEOUT);
            assertThat(second.status()).isEqualTo(200);
            assertThat(peer.connections()).isEqualTo(2);
        }
    }

    @Test
    void concurrentCallsDoNotWaitForEachOther() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            both.countDown();
            // each answers only once both requests arrived: calls queued behind one another would never finish
            both.await();
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }); Client client = client(peer, 1 << 20)) {
            var calls = new java.util.ArrayList<java.util.concurrent.Future<Response>>();
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 2; i++) {
                    calls.add(threads.submit(() -> client.send("GET", "x", Map.of(), null, Duration.ofSeconds(20))));
                }
                for (var call : calls) {
                    assertThat(call.get().status()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void abortAllEndsACallInFlight() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            received.countDown();
            stop.await();
        }); Client client = client(peer, 1 << 20)) {
            var result = new java.util.concurrent.CompletableFuture<Throwable>();
            Thread.ofVirtual().start(() -> {
                try {
                    client.send("GET", "hang", Map.of(), null, Duration.ofMinutes(5));
                    result.complete(null);
                } catch (Throwable t) {
                    result.complete(t);
                }
            });
            assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
            client.abortAll();
            assertThat(result.get(30, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                    .hasMessageContaining("aborted");
            stop.countDown();
        }
    }

    @Test
    void aCallerOnAPlatformThreadIsCutOffAtItsDeadlineOnAPooledConnection() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            for (int i = 0; i < 1000 && !stop.await(100, TimeUnit.MILLISECONDS); i++) {
                RawPeer.write(out, "x");
            }
        }); Client client = client(peer, 1 << 20)) {
            assertThat(Thread.currentThread().isVirtual()).isFalse();
            assertThat(client.send("GET", "a", Map.of(), null, TIMEOUT).status()).isEqualTo(200);
            // the second call goes out on the pooled connection, from this platform thread
            assertThatThrownBy(() -> client.send("GET", "slow", Map.of(), null, TIMEOUT))
                    .isInstanceOf(HttpTimeoutException.class).hasMessageContaining("within 800 ms");
            assertThat(peer.connections()).isEqualTo(1);
            stop.countDown();
            // the cut connection is not reused
            assertThat(client.send("GET", "next", Map.of(), null, TIMEOUT).status()).isEqualTo(200);
            assertThat(peer.connections()).isEqualTo(2);
        }
    }

    @Test
    void abortAllEndsAPlatformThreadsCallOnAPooledConnection() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            RawPeer.readRequest(in);
            RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            RawPeer.readRequest(in);
            received.countDown();
            stop.await();
        }); Client client = client(peer, 1 << 20)) {
            assertThat(client.send("GET", "a", Map.of(), null, TIMEOUT).status()).isEqualTo(200);
            var result = new java.util.concurrent.CompletableFuture<Throwable>();
            Thread.ofPlatform().start(() -> {
                try {
                    client.send("GET", "hang", Map.of(), null, Duration.ofMinutes(5));
                    result.complete(null);
                } catch (Throwable t) {
                    result.complete(t);
                }
            });
            assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
            client.abortAll();
            assertThat(result.get(30, TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                    .hasMessageContaining("aborted");
            assertThat(peer.connections()).isEqualTo(1);
            stop.countDown();
        }
    }

    @Test
    void sequentialCallsReuseOneConnection() throws Exception {
        try (RawPeer peer = new RawPeer((socket, in, out, n) -> {
            while (true) {
                RawPeer.readRequest(in);
                RawPeer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        }); Client client = client(peer, 1 << 20)) {
            for (int i = 0; i < 20; i++) {
                assertThat(client.send("GET", "a", Map.of(), null, TIMEOUT).status()).isEqualTo(200);
            }
            Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 20; i++) {
                        client.send("GET", "a", Map.of(), null, TIMEOUT);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).join();
            assertThat(peer.connections()).isEqualTo(1);
        }
    }
}
