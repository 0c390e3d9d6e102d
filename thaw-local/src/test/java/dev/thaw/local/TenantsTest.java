package dev.thaw.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.http.ApiClient.ApiException;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.QuotaSettings;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two tenants on a real cluster (the embedded S3 server, the gateway, a node agent running QEMU
 * guests): each deploys a function named {@code hello} with its own code and invokes its own; a
 * token of one namespace used on the other's function gets 404 and changes nothing; a deploy over
 * a quota gets 429.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantsTest {
    private Path work;
    private EmbeddedCluster cluster;
    private GatewayClient admin;
    private GatewayClient a;
    private GatewayClient b;
    private String tokenA;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("thaw-tenants-test");
        cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(1, SchedulerPolicy.SNAPSHOT_AWARE,
                SnapshotMode.REMOTE, 2048, 2048, 4, 0, 0, work.resolve("cluster"), TestGuests.home(), null));
        admin = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
        admin.createNamespace("team-a", null);
        admin.createNamespace("team-b", null);
        tokenA = admin.issueToken(List.of("team-a"), null, "a").token();
        a = new GatewayClient(cluster.gatewayUrl(), tokenA).inNamespace("team-a");
        b = new GatewayClient(cluster.gatewayUrl(), admin.issueToken(List.of("team-b"), null, "b").token())
                .inNamespace("team-b");
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        FileTrees.deleteQuietly(work);
    }

    /** The hello example, answering with {@code greeting} instead of "hello". */
    private Path hello(String greeting) throws Exception {
        Path dir = Files.createDirectories(work.resolve("functions").resolve(greeting));
        Path example = TestGuests.example("hello");
        Files.copy(example.resolve("thaw.yaml"), dir.resolve("thaw.yaml"));
        Files.writeString(dir.resolve("main.py"), Files.readString(example.resolve("main.py"))
                .replace("b\"hello, \"", "b\"" + greeting + ", \""));
        return dir;
    }

    @Test
    void twoTenantsWithOneFunctionNameEachInvokeTheirOwnAndCannotReachTheOther() throws Exception {
        FunctionSettings.Request settings = new FunctionSettings.Request(1, 2, 60_000L, null, null);
        FunctionView deployedA = a.upload(hello("hello"), settings).function();
        FunctionView deployedB = b.upload(hello("howdy"), settings).function();
        assertThat(deployedA.name()).isEqualTo("hello");
        assertThat(deployedB.name()).isEqualTo("hello");
        assertThat(deployedA.namespace()).isEqualTo("team-a");
        assertThat(deployedB.namespace()).isEqualTo("team-b");
        assertThat(deployedA.revision()).isNotEqualTo(deployedB.revision());

        GatewayClient.Answer fromA = a.invoke("hello", "thaw".getBytes(UTF_8));
        GatewayClient.Answer fromB = b.invoke("hello", "thaw".getBytes(UTF_8));
        assertThat(fromA.status()).as(fromA.text()).isEqualTo(200);
        assertThat(fromB.status()).as(fromB.text()).isEqualTo(200);
        assertThat(fromA.text()).isEqualTo("hello, thaw");
        assertThat(fromB.text()).isEqualTo("howdy, thaw");

        // A's token on B's function: 404 as for a function that does not exist, and B's is untouched.
        GatewayClient aOnB = new GatewayClient(cluster.gatewayUrl(), tokenA).inNamespace("team-b");
        GatewayClient.Answer foreign = aOnB.invoke("hello", "thaw".getBytes(UTF_8));
        GatewayClient.Answer missing = b.invoke("ghost", "thaw".getBytes(UTF_8));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.text().replace("hello", "ghost")).isEqualTo(missing.text());
        assertThat(status(() -> aOnB.delete("hello"))).isEqualTo(404);
        assertThat(status(() -> aOnB.upload(hello("evil"), settings))).isEqualTo(404);
        assertThat(status(aOnB::list)).isEqualTo(404);
        assertThat(b.describe("hello").revision()).isEqualTo(deployedB.revision());
        assertThat(b.invoke("hello", "again".getBytes(UTF_8)).text()).isEqualTo("howdy, again");
        assertThat(admin.inNamespace("team-b").list()).extracting(FunctionView::name).containsExactly("hello");

        // Over a quota: 429 naming it, and nothing deployed.
        admin.setQuota("team-a", new QuotaSettings(1, null, null));
        HttpResponse<String> over = HttpClient.newHttpClient().send(HttpRequest.newBuilder(cluster.gatewayUrl()
                .resolve("/v1/namespaces/team-a/functions")).header("Authorization", "Bearer " + tokenA)
                .header("Content-Type", "application/gzip").POST(HttpRequest.BodyPublishers.ofByteArray(
                        dev.thaw.control.functions.Archives.tarGz(copyNamed("second")))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
        assertThat(over.body()).contains("functions quota");
        assertThat(a.list()).extracting(FunctionView::name).containsExactly("hello");
    }

    private Path copyNamed(String name) throws Exception {
        Path dir = Files.createDirectories(work.resolve("functions").resolve("named-" + name));
        Path example = TestGuests.example("hello");
        Files.copy(example.resolve("main.py"), dir.resolve("main.py"));
        Files.writeString(dir.resolve("thaw.yaml"), Files.readString(example.resolve("thaw.yaml"))
                .replaceFirst("(?m)^name: .*$", "name: " + name));
        return dir;
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    private static int status(Call call) throws Exception {
        try {
            call.run();
            return 200;
        } catch (ApiException e) {
            return e.status();
        }
    }
}
