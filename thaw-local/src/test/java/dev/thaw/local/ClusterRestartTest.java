package dev.thaw.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.gateway.FunctionView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code thaw up} relies on: a cluster started again on the same work directory (as
 * {@code thaw up} does with the same {@code THAW_HOME}) finds its functions at the same
 * revisions, in both store modes, without a redeploy. No function is invoked, so no VM boots.
 */
class ClusterRestartTest {

    @Test
    void aClusterStartedAgainOnItsWorkDirectoryFindsItsFunctions() throws Exception {
        for (SnapshotMode mode : List.of(SnapshotMode.REMOTE, SnapshotMode.LOCAL)) {
            Path work = Files.createTempDirectory("thaw-cluster-restart");
            try {
                EmbeddedCluster.Options options = new EmbeddedCluster.Options(1, SchedulerPolicy.SNAPSHOT_AWARE, mode,
                        512, 1024, 2, 0, 0, work, TestGuests.home(), null);
                List<FunctionView> before;
                try (EmbeddedCluster cluster = EmbeddedCluster.start(options)) {
                    GatewayClient client = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
                    client.deploy(TestGuests.example("hello").toAbsolutePath(),
                            new FunctionSettings.Request(3, null, 90_000L, null, null));
                    before = client.list();
                }
                try (EmbeddedCluster again = EmbeddedCluster.start(options)) {
                    GatewayClient client = new GatewayClient(again.gatewayUrl(), again.apiToken());
                    assertThat(client.list()).as(mode.label()).extracting(FunctionView::name, FunctionView::revision,
                            FunctionView::settings).containsExactly(org.assertj.core.groups.Tuple.tuple("hello",
                                    before.getFirst().revision(), before.getFirst().settings()));
                    assertThat(client.status().registryProblems()).isEmpty();
                }
            } finally {
                FileTrees.deleteQuietly(work);
            }
        }
    }
}
