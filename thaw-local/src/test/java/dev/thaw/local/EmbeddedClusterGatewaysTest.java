package dev.thaw.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.gateway.NodeSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code thaw up --gateways 2}'s cluster: two gateways over one registry in the embedded S3 server, each with
 * every node registered (one node process, joined once with one credential), and nothing left running after
 * close.
 */
class EmbeddedClusterGatewaysTest {

    private static EmbeddedCluster.Options options(Path dir, int gateways) {
        return new EmbeddedCluster.Options(2, SchedulerPolicy.SNAPSHOT_AWARE, SnapshotMode.REMOTE, 512, 1024, 2, 0, 0,
                dir, TestGuests.home(), null).withGateways(gateways);
    }

    @Test
    void everyNodeRegistersWithEveryGatewayAndCloseStopsThemAll() throws Exception {
        Path work = Files.createTempDirectory("thaw-cluster-gateways");
        try {
            EmbeddedCluster cluster = EmbeddedCluster.start(options(work, 2));
            try {
                assertThat(cluster.gatewayUrls()).hasSize(2).doesNotHaveDuplicates();
                assertThat(cluster.gatewayUrl()).isEqualTo(cluster.gatewayUrls().getFirst());
                for (var url : cluster.gatewayUrls()) {
                    assertThat(new GatewayClient(url, cluster.apiToken()).nodes()).extracting(NodeSummary::name,
                            NodeSummary::alive).containsExactlyInAnyOrder(
                                    org.assertj.core.groups.Tuple.tuple("node-1", true),
                                    org.assertj.core.groups.Tuple.tuple("node-2", true));
                }
                // One registry: both gateways describe the same store.
                assertThat(cluster.gateways()).extracting(g -> g.status().registry()).containsOnly(
                        cluster.gateway().status().registry());
            } finally {
                cluster.close();
            }
            for (NodeProcess node : cluster.nodes()) {
                assertThat(node.isAlive()).isFalse();
            }
            for (var url : cluster.gatewayUrls()) {
                assertThatThrownBy(() -> new GatewayClient(url, cluster.apiToken()).nodes())
                        .as("gateway " + url + " still answers").isInstanceOf(java.io.IOException.class);
            }
        } finally {
            FileTrees.deleteQuietly(work);
        }
    }

    @Test
    void aGatewayCountOutsideItsRangeIsRefused() {
        Path dir = Path.of("unused");
        assertThatThrownBy(() -> options(dir, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateways must be 1..16, got 0");
        assertThatThrownBy(() -> options(dir, 17)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateways must be 1..16, got 17");
    }
}
