package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.GatewayBenchmark;
import dev.thaw.bench.Percentiles;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.node.SnapshotMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "The gateway's own overhead on warm invocations (through the gateway versus directly on "
                + "the node, alternating, on the same warm instance) and warm throughput through the gateway, "
                + "on a one-node cluster started for the run.")
final class BenchGatewayCommand implements Callable<Integer> {
    @Option(names = "--function", defaultValue = "examples/hello", paramLabel = "DIR",
            description = "function directory (default: ${DEFAULT-VALUE})")
    Path function;

    @Option(names = "--samples", defaultValue = "300", description = "warm invocation pairs (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--clients", defaultValue = "4", description = "concurrent clients for throughput (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--instances", defaultValue = "2", description = "warm instances for throughput (default: ${DEFAULT-VALUE})")
    int instances;

    @Option(names = "--seconds", defaultValue = "10", description = "throughput run length (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--body", defaultValue = "thaw", description = "request body (default: ${DEFAULT-VALUE})")
    String body;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        if (samples < 1 || clients < 1 || instances < 1 || seconds < 1) {
            throw new IllegalArgumentException("--samples, --clients, --instances and --seconds must be >= 1");
        }
        try (Workbench bench = new Workbench();
                EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(1,
                        SchedulerPolicy.SNAPSHOT_AWARE, SnapshotMode.LOCAL, 2048, 4096, instances + 2, 0, 0,
                        bench.scratch("bench-cluster"), bench.home(), null))) {
            System.out.printf("one-node cluster, gateway %s; %d warm pairs, then %d clients on %d instances for "
                    + "%d s%n", cluster.gatewayUrl(), samples, clients, instances, seconds);
            GatewayBenchmark.Result r = new GatewayBenchmark(cluster, function,
                    body.getBytes(StandardCharsets.UTF_8)).run(samples, clients, instances,
                    java.time.Duration.ofSeconds(seconds));
            System.out.printf("%n%-34s %9s %9s %9s %9s%n", "warm invocation (ms)", "p50", "p90", "p99", "max");
            row("through the gateway", r.gateway());
            row("directly on the node", r.direct());
            row("gateway overhead (pairwise)", r.overhead());
            System.out.printf("%nwarm throughput through the gateway: %.1f invocations/s (%d clients, %d "
                    + "instances, %.1f s, %d errors)%n", r.warmRps(), r.clients(), r.instances(), r.seconds(),
                    r.errors());
            output.write(() -> {
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("function", r.function()).put("samples", r.samples());
                JsonOutput.putPercentiles(root, "gateway_ms", r.gateway());
                JsonOutput.putPercentiles(root, "direct_ms", r.direct());
                JsonOutput.putPercentiles(root, "overhead_ms", r.overhead());
                root.put("warm_rps", r.warmRps()).put("clients", r.clients()).put("instances", r.instances())
                        .put("errors", r.errors());
                return root;
            });
            return 0;
        }
    }

    private static void row(String label, Percentiles p) {
        System.out.printf("%-34s %9.2f %9.2f %9.2f %9.2f%n", label, p.p50(), p.p90(), p.p99(), p.max());
    }

}
