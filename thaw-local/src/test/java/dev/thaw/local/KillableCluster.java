package dev.thaw.local;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.sandbox.testing.TestGuests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A one-node cluster in a JVM of its own, for {@link ClusterOwnerKilledTest} to kill: it boots
 * {@code hello} once (so an instance runs and a VMM waits pre-started for its snapshot), prints
 * {@code ready}, and waits. It never closes the cluster itself.
 */
public final class KillableCluster {
    private KillableCluster() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(Path.of(args[0]));
        } catch (Exception | Error e) {
            e.printStackTrace(System.out);
            System.out.println("failed: " + e);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void run(Path work) throws Exception {
        EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(1, SchedulerPolicy.SNAPSHOT_AWARE,
                SnapshotMode.LOCAL, 2048, 2048, 4, 1, 0, work, TestGuests.home(), null));
        GatewayClient client = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
        client.deploy(TestGuests.example("hello").toAbsolutePath(),
                new FunctionSettings.Request(1, 4, 600_000L, null, null));
        GatewayClient.Answer answer = client.invoke("hello", "thaw".getBytes(StandardCharsets.UTF_8));
        // On a loaded host a node can miss heartbeats and be out of placement for a moment (503 no_nodes).
        for (int attempt = 1; answer.status() == 503 && attempt < 5; attempt++) {
            Thread.sleep(1_000);
            answer = client.invoke("hello", "thaw".getBytes(StandardCharsets.UTF_8));
        }
        if (answer.status() != 200) {
            System.out.println("invocation answered " + answer.status() + ": " + answer.text());
        }
        System.out.println("ready " + answer.status() + " " + answer.header("X-Thaw-Start") + " "
                + cluster.nodes().getFirst().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
