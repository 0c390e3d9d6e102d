package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.GatewaysBenchmark;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.node.SnapshotMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateways", mixinStandardHelpOptions = true,
        description = "Warm throughput through one gateway and through several with the load spread across them, "
                + "on a one-node cluster of --gateways gateways started for the run; prints the ratio. Both "
                + "phases keep the same number of warm instances busy (one per client).")
final class BenchGatewaysCommand implements Callable<Integer> {
    @Option(names = "--gateways", defaultValue = "2", description = "gateways in the cluster (default: ${DEFAULT-VALUE})")
    int gateways;

    @Option(names = "--function", defaultValue = "examples/hello", paramLabel = "DIR",
            description = "function directory (default: ${DEFAULT-VALUE})")
    Path function;

    @Option(names = "--clients", defaultValue = "4", description = "concurrent clients in both phases (default: "
            + "${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--seconds", defaultValue = "10", description = "length of each measured phase (default: "
            + "${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--rounds", defaultValue = "2", description = "rounds of both phases, alternating (default: "
            + "${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warm-up-seconds", defaultValue = "3", description = "unmeasured load before each phase, "
            + "which also starts its instances (default: ${DEFAULT-VALUE})")
    int warmUpSeconds;

    @Option(names = "--body", defaultValue = "thaw", description = "request body (default: ${DEFAULT-VALUE})")
    String body;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        if (gateways < 2 || gateways > EmbeddedCluster.Options.MAX_GATEWAYS) {
            throw new IllegalArgumentException("--gateways must be 2.." + EmbeddedCluster.Options.MAX_GATEWAYS);
        }
        if (clients < gateways || seconds < 1 || rounds < 1 || warmUpSeconds < 0) {
            throw new IllegalArgumentException("--clients must be >= --gateways, --seconds and --rounds >= 1, and"
                    + " --warm-up-seconds >= 0");
        }
        // Slots for the first gateway's instances, which stay warm, plus the others'.
        int slots = 2 * clients + 2;
        try (Workbench bench = new Workbench();
                EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(1,
                        SchedulerPolicy.SNAPSHOT_AWARE, SnapshotMode.LOCAL, 2048, 256L * slots + 1024, slots, 0, 0,
                        bench.scratch("bench-cluster"), bench.home(), null).withGateways(gateways))) {
            System.out.printf("one-node cluster, gateways %s; %d clients; %d round(s) of %d s warm-up and %d s per"
                    + " phase; %d CPU(s)%n", cluster.gatewayUrls(), clients, rounds, warmUpSeconds, seconds,
                    Runtime.getRuntime().availableProcessors());
            GatewaysBenchmark.Result r = new GatewaysBenchmark(cluster, function,
                    body.getBytes(StandardCharsets.UTF_8)).run(clients, rounds, Duration.ofSeconds(warmUpSeconds),
                    Duration.ofSeconds(seconds));
            System.out.printf("%n%-44s %12s %8s %8s%n", "warm throughput", "invocations/s", "calls", "errors");
            for (int i = 0; i < rounds; i++) {
                row("round " + (i + 1) + ": through 1 gateway", r.one().get(i));
                row("round " + (i + 1) + ": spread across " + gateways + " gateways", r.spread().get(i));
            }
            row("all rounds: through 1 gateway", r.oneTotal());
            row("all rounds: spread across " + gateways + " gateways", r.spreadTotal());
            System.out.printf("%nratio (%d gateways / 1): %.2fx%n", gateways, r.ratio());
            output.write(() -> {
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("function", r.function()).put("gateways", gateways).put("clients", clients)
                        .put("cpus", Runtime.getRuntime().availableProcessors());
                root.put("rounds", rounds);
                root.put("one_gateway_rps", r.oneTotal().rps()).put("one_gateway_errors", r.oneTotal().errors());
                root.put("spread_rps", r.spreadTotal().rps()).put("spread_errors", r.spreadTotal().errors());
                root.put("ratio", r.ratio());
                return root;
            });
            return 0;
        }
    }

    private static void row(String label, GatewaysBenchmark.Phase p) {
        System.out.printf("%-44s %12.1f %8d %8d%n", label, p.rps(), p.ok(), p.errors());
    }
}
