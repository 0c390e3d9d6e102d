package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.http.BearerGuard;
import dev.thaw.http.ErrorMapper;
import dev.thaw.http.Exchange;
import dev.thaw.http.Server;
import dev.thaw.http.ServerOptions;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.JoinResponse;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import java.io.IOException;
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
        private final Server http;

        FakeGateway(int port) throws IOException {
            http = Server.start(ServerOptions.of("127.0.0.1", port, 1 << 20), new ErrorMapper(), routes -> {
                BearerGuard join = BearerGuard.token(() -> NodeFixtures.TOKEN);
                BearerGuard node = BearerGuard.token(() -> issued);
                routes.filter((chain, request, response) -> {
                    try {
                        chain.proceed();
                    } catch (dev.thaw.http.HttpError e) {
                        if (e.status() == 401) {
                            unauthorized.incrementAndGet();
                        }
                        throw e;
                    }
                    if (response.status().code() == 401) {
                        unauthorized.incrementAndGet();
                    }
                });
                routes.guarded(join, "POST", "/v1/join", (request, response) -> {
                    JoinRequest body = Exchange.json(request, 1 << 20, JoinRequest.class);
                    joins.add(body.node());
                    issued = body.token();
                    Exchange.json(response, 201, new JoinResponse(body.node()));
                });
                routes.guarded(node, "POST", "/v1/nodes", (request, response) -> {
                    registrations.add(Exchange.json(request, 1 << 20, RegisterRequest.class));
                    Exchange.send(response, 204, null, new byte[0]);
                });
                routes.guarded(node, "PUT", "/v1/nodes/{name}/heartbeat", (request, response) -> {
                    NodeStatus status = Exchange.json(request, 1 << 20, NodeStatus.class);
                    if (heartbeats.size() == forgetAtHeartbeat) {
                        forgetAtHeartbeat = -1;
                        Exchange.error(response, 404, "unknown_node", "no node " + status.node());
                        return;
                    }
                    heartbeats.add(status);
                    Exchange.send(response, 204, null, new byte[0]);
                });
            });
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + http.port());
        }

        @Override
        public void close() {
            http.close();
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
            // A heartbeat sent just before the close may still land; after it, none may come for four intervals.
            org.awaitility.Awaitility.await("no heartbeat for four intervals").during(INTERVAL.multipliedBy(4))
                    .atMost(Duration.ofSeconds(10)).until(() -> gateway.heartbeats.size() <= after + 1);
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
