package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.node.http.ApiClient;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.gateway.FunctionView;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploys with real image builds (examples/hello), to a real node agent on in-memory sandboxes. */
class DeployTest {
    @TempDir
    Path tmp;

    private static void copy(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** THAW_TEST_HOME when set (as ./thaw test does), else the user's Thaw home, where kernel and bases are built. */
    private static ThawHome home() {
        String env = System.getenv("THAW_TEST_HOME");
        return env != null && !env.isBlank() ? TestGuests.home() : ThawHome.fromEnvironment();
    }

    @Test
    void sameCodeSameRevisionChangedCodeNewRevision() throws Exception {
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), GatewayTest.USER,
                GatewayTest.NODE).withHome(home()).withAllowHostPaths(true);
        try (Gateway gateway = Gateway.start(config); TestNode node = TestNode.join("node-a", gateway.url(),
                GatewayTest.NODE, home(), new dev.thaw.sandbox.image.GuestKernels().ensure(home()))
                .awaitJoined(gateway)) {
            GatewayClient client = new GatewayClient(gateway.url(), GatewayTest.USER);
            Path hello = tmp.resolve("hello");
            copy(TestGuests.example("hello"), hello);
            GatewayClient.Deployed first = client.deploy(hello, new FunctionSettings.Request(2, null, null, null, null));
            FunctionView view = first.function();
            assertThat(first.created()).isTrue();
            assertThat(view.name()).isEqualTo("hello");
            assertThat(view.revision()).hasSize(16);
            assertThat(view.imageDigest()).hasSize(64);
            assertThat(view.settings().concurrency()).isEqualTo(2);
            assertThat(view.settings().maxInstances()).isEqualTo(10);
            assertThat(node.service().deployment("hello", view.revision()).orElseThrow().imagePaths()).hasSize(2)
                    .allSatisfy(p -> assertThat(Path.of(p)).exists());

            GatewayClient.Deployed again = client.deploy(hello, null);
            assertThat(again.created()).isFalse();
            assertThat(again.function().revision()).isEqualTo(view.revision());
            // Uploaded as .tar.gz, the same code is the same revision.
            assertThat(client.upload(hello, null).function().revision()).isEqualTo(view.revision());

            Files.writeString(hello.resolve("main.py"), "\n# changed\n", java.nio.file.StandardOpenOption.APPEND);
            GatewayClient.Deployed changed = client.deploy(hello, null);
            assertThat(changed.created()).isTrue();
            assertThat(changed.function().revision()).isNotEqualTo(view.revision());
            assertThat(node.deployed("hello", changed.function().revision())).isTrue();
            assertThat(client.describe("hello").revision()).isEqualTo(changed.function().revision());

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(gateway.url().resolve("v1/functions"))
                    .header("Authorization", "Bearer " + GatewayTest.USER)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"" + tmp.resolve("none") + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.body()).contains("not an absolute path to a function directory");

            HttpResponse<String> refused = upload(http, gateway, new TarFixtures().file("../x", "x").tarGz());
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("bad_archive");
            assertThat(client.list()).extracting(FunctionView::name).containsExactly("hello");
            http.close();
        } catch (ApiClient.ApiException e) {
            throw new AssertionError(e.status() + " " + e.code() + ": " + e.getMessage(), e);
        }
    }

    private static HttpResponse<String> upload(HttpClient http, Gateway gateway, byte[] archive) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.url().resolve("v1/functions"))
                .header("Authorization", "Bearer " + GatewayTest.USER).header("Content-Type", "application/gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Hostile uploads over the real HTTP path of a gateway as deployed (no host paths); it keeps serving. */
    @Test
    void hostileUploadsAreRefusedAndTheGatewayKeepsServing() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "SECRET-MARKER: [unclosed");
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), GatewayTest.USER,
                GatewayTest.NODE).withHome(home());
        try (Gateway gateway = Gateway.start(config); TestNode node = TestNode.join("node-a", gateway.url(),
                GatewayTest.NODE, home(), new dev.thaw.sandbox.image.GuestKernels().ensure(home()));
                HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> byPath = http.send(HttpRequest.newBuilder(gateway.url().resolve("v1/functions"))
                    .header("Authorization", "Bearer " + GatewayTest.USER)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"" + tmp + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(byPath.statusCode()).isEqualTo(403);
            assertThat(byPath.body()).contains("host_paths_disabled", "--allow-host-paths");

            // thaw.yaml as a link to another file of the archive is refused before anything reads it.
            Path source = Files.createDirectories(tmp.resolve("linked"));
            copy(TestGuests.example("hello"), source);
            Files.move(source.resolve("thaw.yaml"), source.resolve("real.yaml"));
            Files.writeString(source.resolve("real.yaml"), "SECRET-MARKER: [unclosed");
            TarFixtures linked = new TarFixtures().file("main.py", Files.readString(source.resolve("main.py")))
                    .file("real.yaml", "SECRET-MARKER: [unclosed").symlink("thaw.yaml", "real.yaml");
            HttpResponse<String> manifestLink = upload(http, gateway, linked.tarGz());
            assertThat(manifestLink.statusCode()).isEqualTo(400);
            assertThat(manifestLink.body()).contains("bad_manifest", "thaw.yaml: is a symbolic link")
                    .doesNotContain("SECRET-MARKER").doesNotContain(home().root().toString());

            // ... and so is a link to a file of the gateway's host, whatever its depth.
            String up = "../".repeat(20) + secret.toString().substring(1);
            HttpResponse<String> hostLink = upload(http, gateway, new TarFixtures().symlink("thaw.yaml", up).tarGz());
            assertThat(hostLink.statusCode()).isEqualTo(400);
            assertThat(hostLink.body()).contains("bad_archive", "points outside").doesNotContain("SECRET-MARKER");

            HttpResponse<String> escape = upload(http, gateway, new TarFixtures().symlink("l", ".")
                    .symlink("m", "l/../escaped").file("m", "pwned").tarGz());
            assertThat(escape.statusCode()).isEqualTo(400);
            assertThat(escape.body()).contains("bad_archive");

            // A pax header claiming 2 GiB (cut short here; ArchivesTest sends one past the limit).
            HttpResponse<String> bomb = upload(http, gateway, TarFixtures.hugeHeader('x', 2L << 30, 8 << 20));
            assertThat(bomb.statusCode()).isEqualTo(400);
            assertThat(bomb.body()).contains("bad_archive");

            // Still serving: a proper upload of the same function deploys.
            HttpResponse<String> good = upload(http, gateway, dev.thaw.control.functions.Archives.tarGz(
                    TestGuests.example("hello")));
            assertThat(good.statusCode()).as(good.body()).isEqualTo(201);
            assertThat(new GatewayClient(gateway.url(), GatewayTest.USER).list()).extracting(FunctionView::name)
                    .containsExactly("hello");
        }
        assertThat(secret).hasContent("SECRET-MARKER: [unclosed");
    }
}
