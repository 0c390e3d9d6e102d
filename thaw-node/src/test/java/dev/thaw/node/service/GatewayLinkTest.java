package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.api.Json;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.api.JoinRequest;
import dev.thaw.node.api.JoinResponse;
import dev.thaw.node.api.NodeStatus;
import dev.thaw.node.api.RegisterRequest;
import dev.thaw.node.http.HttpApi;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.node.identity.NodeTokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration and heartbeats against a small HTTP server standing in for the gateway. */
class GatewayLinkTest {
    /** A condition that may read files. */
    interface Check {
        boolean met() throws Exception;
    }

    private static final Duration INTERVAL = Duration.ofMillis(100);

    /** Counts what reaches it; answers 404 to one chosen heartbeat, as a restarted gateway would. */
    static final class FakeGateway implements AutoCloseable {
        final List<RegisterRequest> registrations = new CopyOnWriteArrayList<>();
        final List<NodeStatus> heartbeats = new CopyOnWriteArrayList<>();
        final AtomicInteger unauthorized = new AtomicInteger();
        final List<String> joins = new CopyOnWriteArrayList<>();
        /** The node token issued last; the only one accepted on registration and heartbeats. */
        volatile String issued;
        volatile int forgetAtHeartbeat = -1;
        private final HttpServer http;

        FakeGateway(int port) throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            http.createContext("/", this::handle);
            http.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST") && path.equals("/v1/join")) {
                if (!HttpApi.authorized(exchange, NodeFixtures.TOKEN)) {
                    unauthorized.incrementAndGet();
                    return;
                }
                JoinRequest join = Json.mapper().readValue(exchange.getRequestBody().readAllBytes(),
                        JoinRequest.class);
                joins.add(join.node());
                issued = join.token();
                HttpApi.json(exchange, 201, new JoinResponse(join.node()));
                return;
            }
            String token = issued;
            if (!HttpApi.authorized(exchange, token == null ? "" : token)) {
                unauthorized.incrementAndGet();
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST") && path.equals("/v1/nodes")) {
                registrations.add(Json.mapper().readValue(body, RegisterRequest.class));
                HttpApi.send(exchange, 204, null, new byte[0]);
            } else if (exchange.getRequestMethod().equals("PUT") && path.startsWith("/v1/nodes/")
                    && path.endsWith("/heartbeat")) {
                NodeStatus status = Json.mapper().readValue(body, NodeStatus.class);
                if (heartbeats.size() == forgetAtHeartbeat) {
                    forgetAtHeartbeat = -1;
                    HttpApi.error(exchange, 404, "unknown_node", "no node " + status.node());
                    return;
                }
                heartbeats.add(status);
                HttpApi.send(exchange, 204, null, new byte[0]);
            } else {
                HttpApi.error(exchange, 404, "not_found", path);
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    @Test
    void nodeRegistersHeartbeatsAndRegistersAgainWhenForgotten(@TempDir Path work) throws Exception {
        try (FakeGateway gateway = new FakeGateway(0)) {
            gateway.forgetAtHeartbeat = 3;
            NodeServiceConfig config = NodeFixtures.config("node-c", work).withMode(SnapshotMode.DISABLED)
                    .withGateway(gateway.url(), INTERVAL);
            try (NodeServer node = NodeFixtures.inMemoryNode(config)) {
                await(() -> gateway.registrations.size() >= 2 && gateway.heartbeats.size() >= 6);
                assertThat(gateway.registrations).allSatisfy(r -> {
                    assertThat(r.node()).isEqualTo("node-c");
                    assertThat(r.url()).isEqualTo(node.url().toString());
                });
                NodeStatus last = gateway.heartbeats.getLast();
                assertThat(last.node()).isEqualTo("node-c");
                assertThat(last.mode()).isEqualTo("disabled");
                assertThat(last.slotsFree()).isEqualTo(NodeServiceConfig.DEFAULT_SLOTS);
                assertThat(last.memoryMibFree()).isEqualTo(NodeServiceConfig.DEFAULT_MEMORY_MIB);
                assertThat(last.at()).isAfter(gateway.heartbeats.getFirst().at());
            }
            // Closed: heartbeats stop.
            int after = gateway.heartbeats.size();
            org.awaitility.Awaitility.await("no heartbeat for four intervals").during(INTERVAL.multipliedBy(4))
                    .atMost(INTERVAL.multipliedBy(6)).until(() -> gateway.heartbeats.size() == after);
            assertThat(gateway.registrations).hasSize(2);
            assertThat(gateway.unauthorized).hasValue(0);
        }
    }

    @Test
    void nodeKeepsTryingWhileTheGatewayIsDown(@TempDir Path work) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        NodeServiceConfig config = NodeFixtures.config("node-d", work).withMode(SnapshotMode.DISABLED)
                .withGateway(URI.create("http://127.0.0.1:" + port), INTERVAL);
        try (NodeServer node = NodeFixtures.inMemoryNode(config)) {
            Thread.sleep(INTERVAL.multipliedBy(5).toMillis());
            try (FakeGateway gateway = new FakeGateway(port)) {
                await(() -> gateway.registrations.size() == 1 && gateway.heartbeats.size() >= 2);
                assertThat(gateway.registrations.getFirst().url()).isEqualTo(node.url().toString());
            }
        }
    }

    @Test
    void nodeJoinsOnceKeepsItsCredentialPrivateAndAcceptsOnlyTheTokenThatFollowsFromIt(@TempDir Path work)
            throws Exception {
        try (FakeGateway gateway = new FakeGateway(0)) {
            NodeServiceConfig config = NodeFixtures.config("node-j", work).withMode(SnapshotMode.DISABLED)
                    .withGateway(gateway.url(), INTERVAL);
            String nodeToken;
            try (NodeServer node = NodeFixtures.inMemoryNode(config)) {
                await(() -> gateway.heartbeats.size() >= 2);
                assertThat(gateway.joins).containsExactly("node-j");
                Path file = work.resolve(IdentityFile.NAME);
                assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
                nodeToken = new IdentityFile(work).load("node-j").orElseThrow().token();
                assertThat(nodeToken).isEqualTo(gateway.issued);

                // The node's API takes the call token only: not the join token, not its own node token.
                String call = NodeTokens.callToken(nodeToken);
                assertThat(NodeFixtures.client(node.url(), call).call("GET", "/v1/status", null, java.util.Map.of(),
                        NodeFixtures.CALL).statusCode()).isEqualTo(200);
                for (String wrong : List.of(NodeFixtures.TOKEN, nodeToken, NodeTokens.callToken(
                        NodeTokens.issue("node-j")))) {
                    assertThat(NodeFixtures.client(node.url(), wrong).call("POST", "/v1/instances",
                            "{}".getBytes(), java.util.Map.of(), NodeFixtures.CALL).statusCode()).isEqualTo(401);
                }
            }
            // Restarted, it registers with the credential it kept: no second join.
            try (NodeServer node = NodeFixtures.inMemoryNode(config)) {
                await(() -> gateway.registrations.size() >= 2);
                assertThat(gateway.joins).hasSize(1);
                assertThat(gateway.issued).isEqualTo(nodeToken);
            }
            // A gateway that does not know the credential (401) makes the node bind the same one again.
            gateway.issued = null;
            try (NodeServer node = NodeFixtures.inMemoryNode(config)) {
                await(() -> gateway.joins.size() == 2 && gateway.registrations.size() >= 3);
                assertThat(gateway.issued).isEqualTo(nodeToken);
                assertThat(new IdentityFile(work).load("node-j").orElseThrow().token()).isEqualTo(nodeToken);
            }
        }
    }

    private static void await(Check condition) {
        org.awaitility.Awaitility.await("the gateway hears from the node").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20)).until(condition::met);
    }
}
