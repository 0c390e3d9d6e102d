package dev.thaw.node.service;

import static dev.thaw.node.service.NodeFixtures.CALL;
import static dev.thaw.node.service.NodeFixtures.client;
import static dev.thaw.node.service.NodeFixtures.post;
import static dev.thaw.node.service.NodeFixtures.text;
import static dev.thaw.node.service.NodeServerTest.error;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.Json;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.http.ApiClient;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.ErrorBody;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.StartReport;
import dev.thaw.wire.v1.node.StartRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A node with one instance slot, running a function whose handler always raises. */
@ExtendWith(NoLeakedVmsExtension.class)
class NodeCapacityTest {

    @Test
    void handlerErrorsCarryTheTracebackAndAFullNodeRefusesStarts(@TempDir Path function, @TempDir Path work)
            throws Exception {
        Files.writeString(function.resolve("thaw.yaml"), """
                name: raises
                runtime: python3
                handler: main:handle
                memory_mib: 256
                """);
        Files.writeString(function.resolve("main.py"), """
                def handle(body):
                    raise RuntimeError("refused: " + body.decode())
                """);
        DeploymentSpec raises = NodeFixtures.deployment(TestGuests.spec(function));
        try (NodeServer server = NodeFixtures.node(NodeFixtures.config("node-b", work)
                .withMode(SnapshotMode.DISABLED).withCapacity(4096, 1))) {
            ApiClient api = client(server.url());
            api.json("PUT", "/v1/deployments/raises/" + raises.revision(), raises, null, CALL);
            StartRequest start = new StartRequest("raises", raises.revision());
            CompletableFuture<InstanceView> booting = CompletableFuture.supplyAsync(() -> startOne(api, start));
            // While the VM boots the node answers other requests, and its slot is already taken.
            awaitSlotTaken(api);
            ApiClient.ApiException meanwhile = error(() -> api.json("POST", "/v1/instances", start,
                    InstanceView.class, CALL));
            assertThat(booting).as("the boot outlasts a status call and a refused start").isNotDone();
            assertThat(meanwhile.code()).isEqualTo("no_capacity");
            InstanceView instance = booting.get(CALL.toSeconds(), TimeUnit.SECONDS);
            assertThat(instance.start().tier()).isEqualTo(StartReport.Tier.BOOT);

            HttpResponse<byte[]> failed = post(api, "/v1/instances/" + instance.id() + "/invoke", "now");
            assertThat(failed.statusCode()).isEqualTo(500);
            ErrorBody error = Json.mapper().readValue(failed.body(), ErrorBody.class);
            assertThat(error.error()).isEqualTo("handler_error");
            assertThat(error.message()).contains("refused: now", "Traceback", "main.py");

            ApiClient.ApiException full = error(() -> api.json("POST", "/v1/instances", start, InstanceView.class,
                    CALL));
            assertThat(full.status()).isEqualTo(503);
            assertThat(full.code()).isEqualTo("no_capacity");
            assertThat(full.getMessage()).contains("0 of 1 instance slots");
            NodeStatus status = api.json("GET", "/v1/status", null, NodeStatus.class, CALL);
            assertThat(status.instances()).hasSize(1);
            assertThat(status.slotsFree()).isZero();
            assertThat(status.cached()).isEmpty();

            // The instance still serves after a handler error.
            assertThat(text(post(api, "/v1/instances/" + instance.id() + "/invoke", "again")))
                    .contains("refused: again");
            assertThat(api.call("DELETE", "/v1/instances/" + instance.id(), null, Map.of(), CALL).statusCode())
                    .isEqualTo(204);
            assertThat(api.json("GET", "/v1/status", null, NodeStatus.class, CALL).slotsFree()).isEqualTo(1);
        }
    }

    private static InstanceView startOne(ApiClient api, StartRequest start) {
        try {
            return api.json("POST", "/v1/instances", start, InstanceView.class, CALL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitSlotTaken(ApiClient api) {
        org.awaitility.Awaitility.await("the start takes its slot").atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(2))
                .until(() -> api.json("GET", "/v1/status", null, NodeStatus.class, CALL).slotsFree() == 0);
    }
}
