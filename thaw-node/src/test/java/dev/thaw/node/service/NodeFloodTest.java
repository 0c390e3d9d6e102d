package dev.thaw.node.service;

import static dev.thaw.node.service.NodeFixtures.CALL;
import static dev.thaw.node.service.NodeFixtures.client;
import static dev.thaw.node.service.NodeFixtures.post;
import static dev.thaw.node.service.NodeFixtures.text;
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
import dev.thaw.wire.v1.node.StartRequest;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real guests that answer past the channel's bounds: their instances are discarded, the node serves on. */
@ExtendWith(NoLeakedVmsExtension.class)
class NodeFloodTest {

    private static Path flood() throws URISyntaxException {
        return Path.of(NodeFloodTest.class.getResource("/functions/flood/thaw.yaml").toURI()).getParent();
    }

    @Test
    void aGuestPastTheFrameOrHeaderLimitLosesItsInstanceAndOthersKeepServing(@TempDir Path work) throws Exception {
        DeploymentSpec flood = NodeFixtures.deployment(TestGuests.spec(flood()));
        DeploymentSpec hello = NodeFixtures.deployment(TestGuests.spec(TestGuests.example("hello")));
        try (NodeServer server = NodeFixtures.node(NodeFixtures.config("node-flood", work)
                .withMode(SnapshotMode.DISABLED).withCapacity(4096, 3))) {
            ApiClient api = client(server.url());
            api.json("PUT", "/v1/deployments/flood/" + flood.revision(), flood, null, CALL);
            api.json("PUT", "/v1/deployments/hello/" + hello.revision(), hello, null, CALL);
            InstanceView other = api.json("POST", "/v1/instances", new StartRequest("hello", hello.revision()),
                    InstanceView.class, CALL);

            for (String attack : new String[] {"big", "long-header"}) {
                InstanceView hostile = api.json("POST", "/v1/instances", new StartRequest("flood", flood.revision()),
                        InstanceView.class, CALL);
                assertThat(text(post(api, "/v1/instances/" + hostile.id() + "/invoke", "small"))).isEqualTo("ok");
                HttpResponse<byte[]> refused = post(api, "/v1/instances/" + hostile.id() + "/invoke", attack);
                assertThat(refused.statusCode()).as(attack).isEqualTo(410);
                ErrorBody error = Json.mapper().readValue(refused.body(), ErrorBody.class);
                assertThat(error.error()).isEqualTo("instance_gone");
                assertThat(error.message()).contains("broke the channel protocol",
                        attack.equals("big") ? "the limit is 33554432" : "header line is longer than 65536");
                NodeStatus status = api.json("GET", "/v1/status", null, NodeStatus.class, CALL);
                assertThat(status.instances()).as("the hostile instance is discarded")
                        .noneMatch(i -> i.id().equals(hostile.id()));
                assertThat(text(post(api, "/v1/instances/" + other.id() + "/invoke", "still here")))
                        .isEqualTo("hello, still here");
            }
        }
    }
}
