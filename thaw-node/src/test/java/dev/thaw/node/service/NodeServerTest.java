package dev.thaw.node.service;

import static dev.thaw.node.service.NodeFixtures.CALL;
import static dev.thaw.node.service.NodeFixtures.client;
import static dev.thaw.node.service.NodeFixtures.post;
import static dev.thaw.node.service.NodeFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.thaw.node.SnapshotMode;
import dev.thaw.node.http.ApiClient;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.StartReport;
import dev.thaw.wire.v1.node.StartRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node API over real HTTP on loopback with real guests: examples/hello is
 * booted once, every later instance restores its snapshot. Errors are checked
 * against the same node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class NodeServerTest {
    private static final long BODY_LIMIT = 64 << 10;

    @TempDir
    static Path work;

    private NodeServer server;
    private ApiClient api;
    private DeploymentSpec hello;

    @BeforeAll
    void start() throws Exception {
        server = NodeFixtures.node(NodeFixtures.config("node-a", work).withMode(SnapshotMode.LOCAL)
                .withBodyLimit(BODY_LIMIT));
        api = client(server.url());
        hello = NodeFixtures.deployment(TestGuests.spec(TestGuests.example("hello")));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Writes to its console (stdout) without end from init on; answers how many bytes it wrote. */
    private static final String FLOOD = """
            import sys, termios, threading

            WRITTEN = [0]

            def _flood():
                try:  # the console's fastest rate, so the test need not wait long
                    attrs = termios.tcgetattr(1)
                    attrs[4] = attrs[5] = termios.B115200
                    termios.tcsetattr(1, termios.TCSANOW, attrs)
                except Exception:
                    pass
                line = "flood " * 20 + "\\n"
                while True:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                    WRITTEN[0] += len(line)

            def init():
                threading.Thread(target=_flood, daemon=True).start()

            def handle(body):
                return str(WRITTEN[0])
            """;

    @Test
    void aFunctionFloodingItsConsoleLeavesTheNodeServingAndItsTmpfsClean(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("thaw.yaml"), "name: flood\nruntime: python3\nhandler: main:handle\n");
        Files.writeString(dir.resolve("main.py"), FLOOD);
        DeploymentSpec flood = NodeFixtures.deployment(TestGuests.spec(dir));
        // a node of its own, so the other tests' start counts stay theirs
        try (NodeServer node = NodeFixtures.node(NodeFixtures.config("node-flood", dir.resolve("node")))) {
            ApiClient client = client(node.url());
            client.json("PUT", "/v1/deployments/flood/" + flood.revision(), flood, null, CALL);
            InstanceView flooding = client.json("POST", "/v1/instances",
                    new StartRequest("flood", flood.revision()), InstanceView.class, CALL);
            long cap = 64 << 10; // what the node keeps of a console
            long written = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (written <= 4 * cap && System.nanoTime() < deadline) {
                written = Long.parseLong(text(post(client, "/v1/instances/" + flooding.id() + "/invoke", "count")));
                if (written <= 4 * cap) {
                    Thread.sleep(500); // the guest writes at its serial port's pace
                }
            }
            assertThat(written).as("console bytes the guest wrote").isGreaterThan(4 * cap);
            NodeStatus status = client.json("GET", "/v1/status", null, NodeStatus.class, CALL);
            assertThat(status.instances()).extracting(InstanceView::id).contains(flooding.id());
            // the console never reaches the node's tmpfs: only guest memory files (and the library
            // restored VMMs preload) have content there
            try (Stream<Path> files = Files.walk(TestGuests.runRoot())) {
                List<Path> withContent = files.filter(Files::isRegularFile)
                        .filter(f -> f.toFile().length() > 0).toList();
                assertThat(withContent).isNotEmpty()
                        .allMatch(f -> f.getFileName().toString().equals("mem")
                                || f.getFileName().toString().equals("vmm-preload.so"), "guest memory");
            }
        }
    }

    @Test
    void instancesBootThenRestoreAndGoAwayWithTheirFunction() throws Exception {
        String deployPath = "/v1/deployments/hello/" + hello.revision();
        api.json("PUT", deployPath, hello, null, CALL);
        StartRequest start = new StartRequest("hello", hello.revision());

        InstanceView first = api.json("POST", "/v1/instances", start, InstanceView.class, CALL);
        assertThat(first.start().tier()).isEqualTo(StartReport.Tier.BOOT);
        HttpResponse<byte[]> echoed = post(api, "/v1/instances/" + first.id() + "/invoke", "thaw");
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(text(echoed)).isEqualTo("hello, thaw");
        assertThat(Double.parseDouble(echoed.headers().firstValue("X-Thaw-Guest-Ms").orElseThrow())).isPositive();

        InstanceView second = api.json("POST", "/v1/instances", start, InstanceView.class, CALL);
        assertThat(second.start().tier()).isIn(StartReport.Tier.LOCAL, StartReport.Tier.CLONE);
        assertThat(text(post(api, "/v1/instances/" + second.id() + "/invoke", "again"))).isEqualTo("hello, again");

        NodeStatus status = api.json("GET", "/v1/status", null, NodeStatus.class, CALL);
        assertThat(status.node()).isEqualTo("node-a");
        assertThat(status.url()).isEqualTo(server.url().toString());
        assertThat(status.instances()).extracting(InstanceView::id).containsExactly(first.id(), second.id());
        assertThat(status.instances()).extracting(v -> v.start().tier()).containsExactly(StartReport.Tier.BOOT,
                second.start().tier());
        assertThat(status.caches("hello", hello.revision())).isTrue();
        assertThat(status.slotsFree()).isEqualTo(status.slotsTotal() - 2);
        assertThat(status.memoryMibFree()).isEqualTo(status.memoryMibTotal() - 2 * hello.shape().memoryMib());
        assertThat(status.confinement()).as("how the node confines its VMMs").isNotNull();
        assertThat(status.confinement().seccomp()).isTrue();
        // One budget for the snapshot cache and the chunk cache: what it holds is reported against it.
        assertThat(status.cache().budgetBytesUsed()).isNotNull()
                .isEqualTo(status.cache().bytesUsed() + status.cache().bytesReserved() + status.cache().chunkBytes())
                .isLessThanOrEqualTo(status.cache().budgetBytes());

        String metrics = text(api.call("GET", "/metrics", null, Map.of(), CALL));
        assertThat(metrics).contains("thaw_node_starts_total{tier=\"boot\"} 1.0", "thaw_node_instances 2.0",
                "thaw_node_start_seconds_count{tier=\"boot\"} 1", "thaw_node_cache_used_bytes",
                "thaw_node_lazy_starts_total 0.0", "thaw_node_chunks_used_bytes",
                "thaw_node_cache_budget_bytes ",
                "thaw_node_cache_budget_used_bytes",
                "thaw_node_workingset_refused_total{reason=\"outside\"} 0.0", "thaw_node_workingset_recorded_total");

        assertThat(api.call("DELETE", "/v1/instances/" + first.id(), null, Map.of(), CALL).statusCode())
                .isEqualTo(204);
        assertThat(api.json("GET", "/v1/status", null, NodeStatus.class, CALL).instances())
                .extracting(InstanceView::id).containsExactly(second.id());

        HttpResponse<byte[]> slow = api.call("POST", "/v1/instances/" + second.id() + "/invoke",
                "hang".getBytes(), Map.of("X-Thaw-Timeout-Ms", "300"), CALL);
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(text(slow)).contains("\"timeout\"", "300 ms");
        assertThat(api.call("POST", "/v1/instances/" + second.id() + "/invoke", "x".getBytes(),
                Map.of("X-Thaw-Timeout-Ms", "soon"), CALL).statusCode()).isEqualTo(400);

        assertThat(api.call("DELETE", "/v1/functions/hello", null, Map.of(), CALL).statusCode()).isEqualTo(204);
        NodeStatus after = api.json("GET", "/v1/status", null, NodeStatus.class, CALL);
        assertThat(after.instances()).isEmpty();
        assertThat(after.caches("hello", hello.revision())).isFalse();
        assertThat(after.slotsFree()).isEqualTo(after.slotsTotal());
        assertThat(error(() -> api.json("POST", "/v1/instances", start, InstanceView.class, CALL)).code())
                .isEqualTo("unknown_deployment");
        assertThat(post(api, "/v1/instances/" + second.id() + "/invoke", "gone?").statusCode()).isEqualTo(404);
    }

    @Test
    void missingOrWrongTokenIsRefusedAndChangesNothing() throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        HttpResponse<String> anonymous = plain.send(HttpRequest.newBuilder(server.url().resolve("/v1/status"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("unauthorized");

        ApiClient intruder = client(server.url(), "not-the-token");
        ApiClient.ApiException refused = error(() -> intruder.json("PUT", "/v1/deployments/hello/"
                + hello.revision(), hello, null, CALL));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(error(() -> intruder.json("GET", "/metrics", null, null, CALL)).status()).isEqualTo(401);
        // Nothing was deployed: a start with the right token finds no such revision.
        assertThat(error(() -> api.json("POST", "/v1/instances", new StartRequest("hello", hello.revision()),
                InstanceView.class, CALL)).code()).isEqualTo("unknown_deployment");

        HttpResponse<String> health = plain.send(HttpRequest.newBuilder(server.url().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok");
    }

    @Test
    void imagePathsOutsideTheNodesImageDirectoriesAreRefused() throws Exception {
        // Real files a caller might want a guest to read: one elsewhere, one reached from the images
        // directory through '..'.
        Path secret = Files.writeString(work.resolve("secret.img"), "not an image");
        Path images = TestGuests.home().images();
        Path climbing = images.resolve(images.relativize(secret));
        assertThat(climbing.toString()).contains("..");
        for (Path outside : java.util.List.of(secret, climbing)) {
            DeploymentSpec spec = new DeploymentSpec("hello", "r-outside", hello.shape(), 1000, 1000,
                    hello.kernelDigest(), hello.imageDigests(), java.util.List.of(hello.imagePaths().get(0),
                            outside.toString()));
            ApiClient.ApiException refused = error(() -> api.json("PUT", "/v1/deployments/hello/r-outside", spec,
                    null, CALL));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("image_path_refused");
            assertThat(refused.getMessage()).contains(outside.toString(), images.toRealPath().toString());
        }
        assertThat(error(() -> api.json("POST", "/v1/instances", new StartRequest("hello", "r-outside"),
                InstanceView.class, CALL)).code()).isEqualTo("unknown_deployment");
    }

    @Test
    void unknownThingsAre404() throws Exception {
        ApiClient.ApiException deployment = error(() -> api.json("POST", "/v1/instances",
                new StartRequest("nothing", "r1"), InstanceView.class, CALL));
        assertThat(deployment.status()).isEqualTo(404);
        assertThat(deployment.code()).isEqualTo("unknown_deployment");
        assertThat(deployment.getMessage()).contains("PUT /v1/deployments/nothing/r1");

        HttpResponse<byte[]> invoke = post(api, "/v1/instances/vm-nope/invoke", "x");
        assertThat(invoke.statusCode()).isEqualTo(404);
        assertThat(text(invoke)).contains("unknown_instance");
        assertThat(error(() -> api.json("DELETE", "/v1/instances/vm-nope", null, null, CALL)).code())
                .isEqualTo("unknown_instance");
        assertThat(error(() -> api.json("GET", "/v1/nowhere", null, null, CALL)).status()).isEqualTo(404);

        assertThat(error(() -> api.json("POST", "/v1/deployments/nothing/r1/prefetch",
                new PrefetchRequest(Map.of()), null, CALL)).code()).isEqualTo("unknown_deployment");
        // A prefetch must name its signers in a JSON body.
        HttpResponse<byte[]> noSigners = api.call("POST", "/v1/deployments/nothing/r1/prefetch",
                "signers".getBytes(), Map.of(), CALL);
        assertThat(noSigners.statusCode()).isEqualTo(400);
        assertThat(text(noSigners)).contains("bad_request", "PrefetchRequest");
    }

    @Test
    void oversizeBodiesAre413() throws Exception {
        HttpResponse<byte[]> response = api.call("POST", "/v1/instances/vm-any/invoke",
                new byte[(int) BODY_LIMIT + 1], Map.of(), CALL);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(text(response)).contains("too_large", String.valueOf(BODY_LIMIT));
        // At the limit the body is accepted, and the instance is looked up.
        assertThat(api.call("POST", "/v1/instances/vm-any/invoke", new byte[(int) BODY_LIMIT], Map.of(), CALL)
                .statusCode()).isEqualTo(404);
    }

    @Test
    void aRevisionForAnotherKernelIs409AndABadSpecIs400() throws Exception {
        DeploymentSpec foreign = new DeploymentSpec("other", "r1", hello.shape(), 1000, 1000, "0".repeat(64),
                hello.imageDigests(), hello.imagePaths());
        ApiClient.ApiException mismatch = error(() -> api.json("PUT", "/v1/deployments/other/r1", foreign, null,
                CALL));
        assertThat(mismatch.status()).isEqualTo(409);
        assertThat(mismatch.code()).isEqualTo("kernel_mismatch");
        assertThat(error(() -> api.json("POST", "/v1/instances", new StartRequest("other", "r1"),
                InstanceView.class, CALL)).status()).isEqualTo(404);

        ApiClient.ApiException disagree = error(() -> api.json("PUT", "/v1/deployments/other/r2", foreign, null,
                CALL));
        assertThat(disagree.status()).isEqualTo(400);
        assertThat(disagree.getMessage()).contains("other/r2", "other/r1");
        HttpResponse<byte[]> malformed = api.call("PUT", "/v1/deployments/other/r1",
                "{\"function\":\"other\"}".getBytes(), Map.of(), CALL);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(text(malformed)).contains("bad_request");
    }

    @Test
    void standaloneNodeDerivesItsUrlFromTheBoundPort() {
        URI url = server.url();
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertThat(url.getPort()).isPositive();
        assertThat(Files.isDirectory(work.resolve("cache"))).isTrue();
    }

    static ApiClient.ApiException error(ThrowingCallable call) {
        ApiClient.ApiException e = catchThrowableOfType(ApiClient.ApiException.class, call);
        assertThat(e).as("the call should have failed").isNotNull();
        return e;
    }
}
