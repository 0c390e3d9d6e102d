package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.Json;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.NamespaceView;
import dev.thaw.wire.v1.gateway.QuotaSettings;
import dev.thaw.wire.v1.gateway.TokenView;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Namespaces, namespace tokens and quotas over real HTTP, with a real node agent whose guests are
 * in-memory sandboxes ({@link TestNode}).
 */
class NamespacesTest {
    private static final String ADMIN = GatewayTest.USER;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Gateway gateway;
    private GatewayClient admin;
    private String tokenA;
    private String tokenB;

    @BeforeEach
    void start() throws Exception {
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), ADMIN, GatewayTest.NODE)
                .withBodyLimit(64 * 1024).withLivenessTimeout(GatewayTest.LIVENESS)
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")));
        gateway = Gateway.start(config);
        closing.add(gateway);
        TestNode node = TestNode.join("node-a", gateway.url(), GatewayTest.NODE);
        closing.add(node);
        node.awaitJoined(gateway);
        admin = new GatewayClient(gateway.url(), ADMIN);
        admin.createNamespace("team-a", null);
        admin.createNamespace("team-b", null);
        tokenA = admin.issueToken(List.of("team-a"), null, "tenant a").token();
        tokenB = admin.issueToken(List.of("team-b"), null, "tenant b").token();
        // Two tenants, one function name, two revisions.
        gateway.deployer().deploy(TestNode.spec("team-a.echo", "rev-a", "layer"), "digest", FunctionSettings.DEFAULTS);
        gateway.deployer().deploy(TestNode.spec("team-b.echo", "rev-b", "layer"), "digest", FunctionSettings.DEFAULTS);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        http.close();
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.url().resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(String namespace, String token, String query, byte[] tarGz) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(gateway.url().resolve("v1/namespaces/" + namespace + "/functions"
                + query)).header("Authorization", "Bearer " + token).header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(tarGz)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] function(String name, int memoryMib) throws Exception {
        return new TarFixtures().file("thaw.yaml", "name: " + name + "\nruntime: python3\nhandler: main:handle\n"
                + "memory_mib: " + memoryMib + "\n").file("main.py", "def handle(event, context):\n    return event\n")
                .tarGz();
    }

    @Test
    void twoTenantsDeployTheSameNameAndEachInvokesItsOwn() throws Exception {
        GatewayClient a = new GatewayClient(gateway.url(), tokenA).inNamespace("team-a");
        GatewayClient b = new GatewayClient(gateway.url(), tokenB).inNamespace("team-b");
        GatewayClient.Answer fromA = a.invoke("echo", "hi".getBytes());
        GatewayClient.Answer fromB = b.invoke("echo", "hi".getBytes());
        assertThat(fromA.status()).as(fromA.text()).isEqualTo(200);
        assertThat(fromA.header("X-Thaw-Revision")).isEqualTo("rev-a");
        assertThat(fromB.status()).as(fromB.text()).isEqualTo(200);
        assertThat(fromB.header("X-Thaw-Revision")).isEqualTo("rev-b");
        assertThat(a.list()).extracting(FunctionView::namespace, FunctionView::name, FunctionView::revision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("team-a", "echo", "rev-a"));
        assertThat(b.describe("echo").revision()).isEqualTo("rev-b");
        // The admin reaches both; the default namespace has neither.
        assertThat(admin.inNamespace("team-b").describe("echo").namespace()).isEqualTo("team-b");
        assertThat(admin.list()).isEmpty();
        String metrics = admin.metrics();
        assertThat(metrics).contains("thaw_gateway_invocations_total{function=\"echo\",namespace=\"team-a\",start=")
                .contains("thaw_gateway_invocations_total{function=\"echo\",namespace=\"team-b\",start=");
    }

    @Test
    void anotherNamespacesFunctionIsNotFoundExactlyLikeAMissingOneAndNothingChanges() throws Exception {
        HttpResponse<String> foreign = send("POST", "v1/namespaces/team-b/functions/echo/invoke", tokenA, "x");
        HttpResponse<String> missing = send("POST", "v1/namespaces/team-b/functions/ghost/invoke", ADMIN, "x");
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(foreign.body().replace("echo", "ghost")).isEqualTo(missing.body());
        assertThat(foreign.body()).contains("unknown_function");
        assertThat(send("GET", "v1/namespaces/team-b/functions/echo", tokenA, null).body())
                .isEqualTo(send("GET", "v1/namespaces/team-b/functions/ghost", ADMIN, null).body()
                        .replace("ghost", "echo"));
        assertThat(send("DELETE", "v1/namespaces/team-b/functions/echo", tokenA, null).statusCode()).isEqualTo(404);
        // Listing, deploying into and describing a namespace it does not have: as if there were none.
        HttpResponse<String> list = send("GET", "v1/namespaces/team-b/functions", tokenA, null);
        HttpResponse<String> none = send("GET", "v1/namespaces/team-z/functions", ADMIN, null);
        assertThat(list.statusCode()).isEqualTo(404);
        assertThat(list.body().replace("team-b", "team-z")).isEqualTo(none.body());
        assertThat(upload("team-b", tokenA, "", function("echo", 256)).body().replace("team-b", "team-z"))
                .isEqualTo(none.body());
        assertThat(send("GET", "v1/namespaces/team-b", tokenA, null).statusCode()).isEqualTo(404);
        // The paths without a namespace are the default namespace's, which tenant A does not have.
        assertThat(send("POST", "v1/functions/echo/invoke", tokenA, "x").statusCode()).isEqualTo(404);
        assertThat(new GatewayClient(gateway.url(), tokenA).namespaces()).extracting(NamespaceView::name)
                .containsExactly("team-a");
        // Admin-only routes.
        assertThat(send("POST", "v1/namespaces", tokenA, "{\"name\": \"mine\"}").statusCode()).isEqualTo(403);
        assertThat(send("POST", "v1/tokens", tokenA, "{\"namespaces\": [\"team-b\"]}").statusCode()).isEqualTo(403);
        assertThat(send("GET", "v1/tokens", tokenA, null).statusCode()).isEqualTo(403);
        assertThat(send("GET", "metrics", tokenA, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "v1/nodes", tokenA, null).statusCode()).isEqualTo(401);

        assertThat(gateway.functions().find("team-b.echo")).isPresent();
        assertThat(admin.namespaces()).extracting(NamespaceView::name).containsExactly("default", "team-a", "team-b");
        assertThat(admin.tokens()).hasSize(2);
        GatewayClient.Answer own = new GatewayClient(gateway.url(), tokenB).inNamespace("team-b")
                .invoke("echo", "still".getBytes());
        assertThat(own.text()).isEqualTo("echo:still");
    }

    @Test
    void revokedExpiredMalformedTokensGet401AndChangeNothing() throws Exception {
        TokenView issued = admin.tokens().stream().filter(t -> t.description().equals("tenant a")).findFirst()
                .orElseThrow();
        assertThat(issued.token()).isNull();
        admin.revokeToken(issued.id());
        HttpResponse<String> revoked = send("DELETE", "v1/namespaces/team-a/functions/echo", tokenA, null);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.body()).contains("was revoked at");
        assertThat(revoked.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        HttpResponse<String> malformed = send("GET", "v1/namespaces/team-a/functions", "thaw_nope", null);
        assertThat(malformed.statusCode()).isEqualTo(401);
        assertThat(malformed.body()).contains("neither the admin token nor a namespace token");
        assertThat(send("GET", "v1/namespaces/team-a/functions", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> past = send("POST", "v1/tokens", ADMIN,
                "{\"namespaces\": [\"team-a\"], \"expiresAt\": \"2000-01-01T00:00:00Z\"}");
        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(past.body()).contains("not in the future");
        HttpResponse<String> badName = send("POST", "v1/namespaces", ADMIN, "{\"name\": \"Team_C\"}");
        assertThat(badName.statusCode()).isEqualTo(400);
        assertThat(badName.body()).contains("DNS label");
        assertThat(send("GET", "v1/namespaces/Team_C/functions", ADMIN, null).body()).contains("bad_name");
        assertThat(gateway.functions().find("team-a.echo")).isPresent();
        assertThat(admin.namespaces()).hasSize(3);
    }

    @Test
    void aDeployOverAQuotaGets429NamingItAndNothingChanges() throws Exception {
        admin.setQuota("team-a", new QuotaSettings(1, null, null));
        HttpResponse<String> functions = upload("team-a", tokenA, "", function("other", 256));
        assertThat(functions.statusCode()).as(functions.body()).isEqualTo(429);
        assertThat(functions.body()).contains("quota_exceeded").contains("functions quota");

        admin.setQuota("team-a", new QuotaSettings(null, 12, null));
        HttpResponse<String> instances = upload("team-a", tokenA, "?maxInstances=3", function("other", 256));
        assertThat(instances.statusCode()).isEqualTo(429);
        assertThat(instances.body()).contains("instances quota").contains("up to 12").contains("would make 13");

        admin.setQuota("team-a", new QuotaSettings(null, null, 5_000L));
        HttpResponse<String> memory = upload("team-a", tokenA, "?maxInstances=3", function("other", 1024));
        assertThat(memory.statusCode()).isEqualTo(429);
        assertThat(memory.body()).contains("memory quota").contains("5000 MiB");

        // Through the deployer as well (the quota is checked again where the registry is written).
        admin.setQuota("team-a", new QuotaSettings(1, null, null));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway.deployer().deploy(
                TestNode.spec("team-a.other", "rev-x", "layer"), "digest", FunctionSettings.DEFAULTS))
                .isInstanceOf(dev.thaw.control.access.QuotaExceededException.class);
        // A redeploy of what is there already fits.
        assertThat(gateway.deployer().deploy(TestNode.spec("team-a.echo", "rev-a", "layer"), "digest",
                FunctionSettings.DEFAULTS).created()).isFalse();

        assertThat(admin.inNamespace("team-a").list()).extracting(FunctionView::name).containsExactly("echo");
        NamespaceView view = Json.read(send("GET", "v1/namespaces/team-a", tokenA, null).body(), NamespaceView.class);
        assertThat(view.quota()).isEqualTo(new QuotaSettings(1, null, null));
        assertThat(view.usage()).isEqualTo(new QuotaSettings(1, 10, 10L * 256));
        // Another namespace is not limited by team-a's quota.
        assertThat(gateway.deployer().deploy(TestNode.spec("team-b.other", "rev-y", "layer"), "digest",
                FunctionSettings.DEFAULTS).created()).isTrue();
    }

    @Test
    void aNamespaceWithFunctionsIsNotDeletedAndAnEmptyOneIs() throws Exception {
        HttpResponse<String> busy = send("DELETE", "v1/namespaces/team-a", ADMIN, null);
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(busy.body()).contains("namespace_not_empty");
        admin.inNamespace("team-a").delete("echo");
        admin.deleteNamespace("team-a");
        assertThat(admin.namespaces()).extracting(NamespaceView::name).containsExactly("default", "team-b");
        assertThat(send("GET", "v1/namespaces/team-a/functions", tokenA, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "v1/namespaces/default", ADMIN, null).statusCode()).isEqualTo(409);
    }
}
