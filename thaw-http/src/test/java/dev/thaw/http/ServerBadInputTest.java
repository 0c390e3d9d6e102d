package dev.thaw.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients on real sockets: each gets a clear status or a closed connection within the
 * server's deadline, and the server keeps serving everyone else.
 */
class ServerBadInputTest {
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_HEADERS = 8 * 1024;
    private Server server;

    @BeforeEach
    void start() throws IOException {
        ServerOptions options = ServerOptions.of("127.0.0.1", 0, MAX_BODY).withLimits(MAX_HEADERS, 64, DEADLINE);
        server = Server.start(options, new ErrorMapper(), routes -> {
            BearerGuard guard = BearerGuard.token(() -> "secret-token");
            routes.open("GET", "/healthz", (request, response) -> Exchange.text(response, 200, "ok"));
            routes.open("POST", "/work", (request, response) -> {
                byte[] body = Exchange.body(request, 1024, "");
                // a handler busy past the deadline after it read its request, as an invocation may be
                new java.util.concurrent.CountDownLatch(1).await(DEADLINE.toMillis() * 3, java.util.concurrent.TimeUnit.MILLISECONDS);
                Exchange.send(response, 200, "text/plain", body);
            });
            routes.guarded(guard, "POST", "/echo", (request, response) ->
                    Exchange.send(response, 200, "application/octet-stream", Exchange.body(request, 1024, "")));
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Sends {@code request} and reads what comes back until the server closes or stops talking. */
    private String exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            // Past this the test fails: the server must answer or close well within it.
            socket.setSoTimeout((int) DEADLINE.multipliedBy(10).toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the server closed while we were still sending; what it answered is still readable
            }
            return readAll(socket.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        StringBuilder answer = new StringBuilder();
        byte[] buffer = new byte[8192];
        int n;
        try {
            while ((n = in.read(buffer)) > 0) {
                answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                if (answer.indexOf("\r\n\r\n") > 0 && complete(answer.toString())) {
                    break;
                }
            }
        } catch (java.net.SocketException reset) {
            // closed under us: what arrived is the answer
        }
        return answer.toString();
    }

    private static boolean complete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        for (String line : answer.substring(0, end).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return answer.length() - end - 4 >= Integer.parseInt(line.substring(15).strip());
            }
        }
        return false;
    }

    private void stillServes() throws Exception {
        try (Client client = new Client(server.url(), Map.of(), ClientOptions.of(Duration.ofSeconds(2)))) {
            Response ok = client.send("GET", "healthz", Map.of(), null, Duration.ofSeconds(10));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(new String(ok.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void malformedHttpIsA400() throws Exception {
        String answer = exchange(ascii("HELLO THERE\r\n\r\n"));
        assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 400")).as(answer).isTrue();
        assertThat(exchange(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")))
                .startsWith("HTTP/1.1 400").contains("{\"error\":\"bad_request\"");
        stillServes();
    }

    @Test
    void anOversizeHeaderIsRefused() throws Exception {
        String answer = exchange(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(MAX_HEADERS * 4)
                + "\r\n\r\n"));
        // an answer, or a connection closed under a client still sending (the answer is then lost in the reset)
        assertThat(answer.isEmpty() || answer.matches("(?s)HTTP/1.1 (400|431).*\"error\".*")).as(answer).isTrue();
        stillServes();
    }

    @Test
    void anOversizeBodyIsA413() throws Exception {
        String declared = exchange(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token\r\n"
                + "Content-Length: " + (MAX_BODY * 16) + "\r\n\r\nxx"));
        assertThat(declared).startsWith("HTTP/1.1 413").contains("\"error\":\"too_large\"");
        // within the server's limit but over the route's
        String route = exchange(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token\r\n"
                + "Content-Length: 2048\r\nConnection: close\r\n\r\n" + "y".repeat(2048)));
        assertThat(route).startsWith("HTTP/1.1 413").contains("larger than the limit of 1024 bytes");
        stillServes();
    }

    @Test
    void aSlowClientIsCutOffAtTheDeadlineWhileOthersAreServed() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout((int) DEADLINE.multipliedBy(10).toMillis());
            slow.getOutputStream().write(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
            slow.getOutputStream().flush();
            stillServes();
            // the request never ends: the server closes the connection (at most an error answer first)
            try {
                String answer = readAll(slow.getInputStream());
                assertThat(answer).doesNotContain("200 OK");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a client that never finished its request", e);
            }
        }
        stillServes();
    }

    @Test
    void aClientThatStopsInTheMiddleOfItsBodyIsCutOffAtTheDeadline() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout((int) DEADLINE.multipliedBy(10).toMillis());
            slow.getOutputStream().write(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token\r\n"
                    + "Content-Length: 100\r\n\r\nonly ten b"));
            slow.getOutputStream().flush();
            stillServes();
            try {
                assertThat(readAll(slow.getInputStream())).doesNotContain("200 OK");
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a client that never finished its body", e);
            }
        }
        stillServes();
    }

    @Test
    void aHandlerBusyPastTheDeadlineAfterReadingItsRequestStillAnswers() throws Exception {
        try (Client client = new Client(server.url(), Map.of(), ClientOptions.of(Duration.ofSeconds(2)))) {
            Response response = client.send("POST", "work", Map.of(), ascii("done"), DEADLINE.multipliedBy(10));
            assertThat(response.status()).isEqualTo(200);
            assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("done");
        }
    }

    @Test
    void tlsOnThePlainPortGetsAnErrorOrAClosedConnection() throws Exception {
        // the start of a TLS 1.2 ClientHello record
        byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 1, 2, 3, 4};
        String answer = exchange(hello);
        assertThat(answer.isEmpty() || answer.startsWith("HTTP/1.1 400")).as(answer).isTrue();
        stillServes();
    }

    @Test
    void theGuardAnswers401InTheErrorForm() throws Exception {
        String none = exchange(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        assertThat(none).startsWith("HTTP/1.1 401").containsIgnoringCase("WWW-Authenticate: Bearer")
                .contains("{\"error\":\"unauthorized\",\"message\":\"this API needs 'Authorization: Bearer <token>'\"}");
        String wrong = exchange(ascii("POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n"));
        assertThat(wrong).startsWith("HTTP/1.1 401").contains("the token is not valid for this API");
    }

    @Test
    void unknownRoutesAndMethodsAnswerInTheErrorForm() throws Exception {
        assertThat(exchange(ascii("GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                .startsWith("HTTP/1.1 404").contains("{\"error\":\"not_found\"");
        assertThat(exchange(ascii("DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                .startsWith("HTTP/1.1 405").contains("Allow: GET").contains("\"error\":\"method_not_allowed\"");
    }
}
