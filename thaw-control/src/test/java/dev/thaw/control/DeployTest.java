package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.functions.FunctionView;
import dev.thaw.node.http.ApiClient;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.sandbox.testing.TestGuests;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploys with real image builds (examples/hello), to a fake node. */
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
        try (Gateway gateway = Gateway.start(config); FakeNode node = new FakeNode("node-a", gateway.url(),
                GatewayTest.NODE)) {
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
            assertThat(node.deployments.get("hello/" + view.revision()).imagePaths()).hasSize(2)
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
            assertThat(node.deployments).containsKey("hello/" + changed.function().revision());
            assertThat(client.describe("hello").revision()).isEqualTo(changed.function().revision());

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(gateway.url().resolve("v1/functions"))
                    .header("Authorization", "Bearer " + GatewayTest.USER)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"" + tmp.resolve("none") + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.body()).contains("not an absolute path to a function directory");

            ByteArrayOutputStream evil = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(evil)) {
                dev.thaw.control.functions.Archives.writeEntry(out, "../x", '0', 0644,
                        "x".getBytes(StandardCharsets.UTF_8), "");
                out.write(new byte[1024]);
            }
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(gateway.url().resolve("v1/functions"))
                    .header("Authorization", "Bearer " + GatewayTest.USER).header("Content-Type", "application/gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(evil.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("bad_archive");
            assertThat(client.list()).extracting(FunctionView::name).containsExactly("hello");
            http.close();
        } catch (ApiClient.ApiException e) {
            throw new AssertionError(e.status() + " " + e.code() + ": " + e.getMessage(), e);
        }
    }
}
