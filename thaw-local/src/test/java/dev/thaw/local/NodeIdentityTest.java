package dev.thaw.local;

import dev.thaw.control.cluster.Member;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.Json;
import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Node identity on the real stack: the gateway, two node agents as processes of their own, real
 * HTTP, bindings kept in a directory store. A node's credential makes it itself and nobody else;
 * the token the gateway calls a node with opens that node only; user, join and node tokens open no
 * node; credentials survive a node restart and a gateway restart. No VM is started: every attack is
 * refused before a node would reach one.
 */
class NodeIdentityTest {
    private static final String API = "identity-test-api-token";
    private static final String JOIN = "identity-test-join-token";
    private static final String KEY = "identity-test-identity-key";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aNodeIsOnlyItselfAndOnlyTheGatewayCallsIt() throws Exception {
        Path work = Files.createTempDirectory("thaw-node-identity");
        List<AutoCloseable> closing = new ArrayList<>();
        Gateway gateway = null;
        try {
            GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), API, JOIN)
                    .withRegistryDir(work.resolve("registry")).withIdentityKey(KEY).withHome(TestGuests.home());
            gateway = Gateway.start(config);
            URI url = gateway.url();
            NodeProcess a = node("node-a", url, work);
            closing.add(a);
            NodeProcess b = node("node-b", url, work);
            closing.add(b);
            Gateway g = gateway;
            awaitTrue(() -> g.membership().alive().size() == 2, "both nodes join and register");

            String tokenA = credential(work, "node-a");
            String tokenB = credential(work, "node-b");
            assertThat(Files.getPosixFilePermissions(work.resolve("node-a").resolve(IdentityFile.NAME)))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(NodeTokens.nodeOf(tokenA)).contains("node-a");
            URI urlA = gateway.membership().find("node-a").orElseThrow().url();
            URI urlB = gateway.membership().find("node-b").orElseThrow().url();

            // Node A's credential cannot register or report as node B, nor take node B's URL.
            HttpResponse<String> asB = send(url, "POST", "v1/nodes", tokenA, Json.write(new RegisterRequest("node-b",
                    "http://127.0.0.1:9/")));
            assertThat(asB.statusCode()).isEqualTo(403);
            assertThat(asB.body()).contains("wrong_node", "node-a");
            NodeStatus forged = new NodeStatus("node-b", "http://127.0.0.1:9/", "disabled", 1, 0, 1, 0, List.of(),
                    null, List.of(), null, java.time.Instant.now());
            assertThat(send(url, "PUT", "v1/nodes/node-b/heartbeat", tokenA, Json.write(forged)).statusCode())
                    .isEqualTo(403);
            HttpResponse<String> stealUrl = send(url, "POST", "v1/nodes", tokenA,
                    Json.write(new RegisterRequest("node-a", urlB.toString())));
            assertThat(stealUrl.statusCode()).isEqualTo(409);
            assertThat(stealUrl.body()).contains("url_in_use");
            assertUnchanged(gateway, urlA, urlB);

            // The join token joins only: a bad one is refused, a good one cannot take a bound name or register.
            assertThat(send(url, "POST", "v1/join", "not-the-join-token", join("node-c")).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> takeover = send(url, "POST", "v1/join", JOIN, join("node-b"));
            assertThat(takeover.statusCode()).isEqualTo(409);
            assertThat(takeover.body()).contains("node_name_taken");
            assertThat(send(url, "POST", "v1/nodes", JOIN, Json.write(new RegisterRequest("node-b",
                    "http://127.0.0.1:9/"))).statusCode()).isEqualTo(401);
            assertThat(credential(work, "node-b")).isEqualTo(tokenB);
            assertUnchanged(gateway, urlA, urlB);

            // The gateway's call tokens are no credential at the gateway.
            String callA = NodeTokens.callToken(tokenA);
            String callB = NodeTokens.callToken(tokenB);
            assertThat(send(url, "POST", "v1/nodes", callA, Json.write(new RegisterRequest("node-a",
                    urlA.toString()))).statusCode()).isEqualTo(401);
            assertThat(send(url, "PUT", "v1/nodes/node-b/heartbeat", callB, Json.write(forged)).statusCode())
                    .isEqualTo(401);
            assertThat(send(url, "GET", "v1/functions", callA, null).statusCode()).isEqualTo(401);

            // Node B takes only the token the gateway calls it with: not node A's tokens, not its own node
            // token, not the join or the user token. Start, deploy and stop are all refused.
            for (String wrong : List.of(tokenA, callA, tokenB, JOIN, API)) {
                assertThat(send(urlB, "POST", "v1/instances", wrong, "{\"function\": \"f\", \"revision\": \"r\"}")
                        .statusCode()).isEqualTo(401);
                assertThat(send(urlB, "PUT", "v1/deployments/f/r", wrong, "{}").statusCode()).isEqualTo(401);
                assertThat(send(urlB, "DELETE", "v1/instances/vm-1", wrong, null).statusCode()).isEqualTo(401);
                assertThat(send(urlB, "GET", "v1/status", wrong, null).statusCode()).isEqualTo(401);
            }
            assertThat(send(urlB, "GET", "v1/status", callB, null).statusCode()).isEqualTo(200);
            assertThat(send(urlB, "DELETE", "v1/instances/vm-1", callB, null).statusCode()).isEqualTo(404);

            // A restarted node registers with the credential it kept; it does not join again.
            a.close();
            closing.remove(a);
            NodeProcess again = node("node-a", url, work);
            closing.add(again);
            awaitTrue(() -> g.membership().find("node-a")
                    .map(m -> m.alive() && m.url().getPort() == again.url().getPort()).orElse(false),
                    "node-a registers again after its restart");
            assertThat(credential(work, "node-a")).isEqualTo(tokenA);
            assertThat(Files.readString(again.log())).doesNotContain("joined the gateway")
                    .contains("uses the credential stored in");

            // A restarted gateway, on the same store and key, still knows both nodes, and still only as themselves.
            int port = url.getPort();
            gateway.close();
            gateway = Gateway.start(config.withListen(new InetSocketAddress("127.0.0.1", port)));
            Gateway restarted = gateway;
            awaitTrue(() -> restarted.membership().alive().size() == 2, "both nodes register with the new gateway");
            assertThat(credential(work, "node-a")).isEqualTo(tokenA);
            assertThat(credential(work, "node-b")).isEqualTo(tokenB);
            assertThat(send(url, "POST", "v1/nodes", tokenA, Json.write(new RegisterRequest("node-b",
                    "http://127.0.0.1:9/"))).statusCode()).isEqualTo(403);
            assertThat(send(url, "POST", "v1/join", JOIN, join("node-a")).statusCode()).isEqualTo(409);
            // The holder of a credential may repeat its join (a lost answer): same token, same name, no change.
            assertThat(send(url, "POST", "v1/join", JOIN, Json.write(new JoinRequest("node-a", tokenA))).statusCode())
                    .isEqualTo(200);
            assertThat(restarted.membership().find("node-b").orElseThrow().url()).isEqualTo(urlB);

            // An operator removes the binding of a node that is gone: its name may join again, with
            // another credential, and the old one opens nothing.
            b.close();
            closing.remove(b);
            assertThat(send(url, "DELETE", "v1/nodes/node-b", tokenA, null).statusCode()).isEqualTo(401);
            assertThat(send(url, "DELETE", "v1/nodes/node-b", API, null).statusCode()).isEqualTo(204);
            awaitTrue(() -> restarted.membership().alive().size() == 1, "node-b leaves scheduling");
            String replacement = NodeTokens.issue("node-b");
            assertThat(send(url, "POST", "v1/join", JOIN, Json.write(new JoinRequest("node-b", replacement)))
                    .statusCode()).isEqualTo(201);
            assertThat(send(url, "POST", "v1/nodes", tokenB, Json.write(new RegisterRequest("node-b",
                    urlB.toString()))).statusCode()).as("the removed credential is dead").isEqualTo(401);
        } catch (Exception | AssertionError e) {
            // The node logs say why, and the work directory goes away below.
            for (String name : List.of("node-a", "node-b")) {
                Path log = work.resolve(name + ".log");
                if (Files.exists(log)) {
                    System.out.println("--- " + log + "\n" + Files.readString(log));
                }
            }
            throw e;
        } finally {
            for (AutoCloseable c : closing.reversed()) {
                c.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            FileTrees.deleteQuietly(work);
        }
    }

    private static NodeProcess node(String name, URI gateway, Path work) throws Exception {
        return NodeProcess.start(name, List.of("--name=" + name, "--listen=127.0.0.1:0", "--gateway=" + gateway,
                "--mode=disabled", "--work-dir=" + work.resolve(name), "--heartbeat-ms=200", "--memory-mib=512",
                "--slots=1", "--thaw-home=" + TestGuests.home().root().toAbsolutePath()),
                Map.of("THAW_NODE_TOKEN", JOIN), work.resolve(name + ".log"), Duration.ofSeconds(60));
    }

    /** A join request for {@code node} with a fresh token. */
    private static String join(String node) {
        return Json.write(new JoinRequest(node, NodeTokens.issue(node)));
    }

    private static String credential(Path work, String node) throws Exception {
        return new IdentityFile(work.resolve(node)).load(node).orElseThrow().token();
    }

    private static void assertUnchanged(Gateway gateway, URI urlA, URI urlB) {
        assertThat(gateway.membership().alive()).extracting(Member::name).containsExactly("node-a", "node-b");
        assertThat(gateway.membership().find("node-a").orElseThrow().url()).isEqualTo(urlA);
        assertThat(gateway.membership().find("node-b").orElseThrow().url()).isEqualTo(urlB);
    }

    private HttpResponse<String> send(URI base, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/" + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    interface Check {
        boolean met() throws Exception;
    }

    private static void awaitTrue(Check check, String what) {
        org.awaitility.Awaitility.await(what).atMost(WAIT).pollInterval(java.time.Duration.ofMillis(50))
                .until(check::met);
    }
}
