package dev.thaw.node.service;

import dev.thaw.node.SnapshotMode;
import dev.thaw.node.http.ApiClient;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** What the node service tests share: a node on a test driver, deployment specs, clients. */
final class NodeFixtures {
    static final String TOKEN = "node-secret";
    /** Long enough for a boot under TCG emulation on a busy machine. */
    static final Duration CALL = Duration.ofMinutes(3);

    private NodeFixtures() {
    }

    static NodeServiceConfig config(String name, Path workDir) {
        return NodeServiceConfig.defaults(name, TOKEN, workDir, TestGuests.home().root());
    }

    /** A node on loopback with its own test driver. */
    static NodeServer node(NodeServiceConfig config) throws IOException {
        return NodeServer.start(NodeService.open(config, TestGuests.kernel(), TestGuests.driver()));
    }

    /** A node on loopback whose guests are in-memory sandboxes: for tests of its API and its link, not of guests. */
    static NodeServer inMemoryNode(NodeServiceConfig config) throws IOException {
        return NodeServer.start(NodeService.open(config, TestGuests.kernel(),
                new dev.thaw.testkit.InMemoryDriver(config.name())));
    }

    static NodeServer node(String name, Path workDir, SnapshotMode mode) throws IOException {
        return node(config(name, workDir).withMode(mode));
    }

    /** What the gateway sends for a revision built on this host. */
    static DeploymentSpec deployment(BootSpec boot) {
        return new DeploymentSpec(boot.function(), boot.revision(), boot.shape(), boot.initTimeout().toMillis(),
                30_000, boot.kernelDigest(), boot.diskDigests(), boot.disks().stream().map(Path::toString).toList());
    }

    static ApiClient client(URI url) {
        return client(url, TOKEN);
    }

    static ApiClient client(URI url, String token) {
        return new ApiClient(url, token, Duration.ofSeconds(5));
    }

    static HttpResponse<byte[]> post(ApiClient client, String path, String body) throws IOException,
            InterruptedException {
        return client.call("POST", path, body.getBytes(StandardCharsets.UTF_8), Map.of(), CALL);
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
