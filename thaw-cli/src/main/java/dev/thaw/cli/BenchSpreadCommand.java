package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SpreadBenchmark;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.node.SnapshotMode;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "spread", mixinStandardHelpOptions = true,
        description = "A burst right after a function's first boot, before its snapshot is in the store: on a "
                + "fresh cluster of --nodes nodes (remote snapshots, embedded S3, spread placement) the function "
                + "boots once, then --burst concurrent invocations need new instances on the other nodes. Run "
                + "twice, with nodes reading snapshots from each other and with the store only, side by side.")
final class BenchSpreadCommand implements Callable<Integer> {
    @Option(names = "--function", defaultValue = "examples/hello", paramLabel = "DIR",
            description = "function directory (default: ${DEFAULT-VALUE})")
    Path function;

    @Option(names = "--nodes", defaultValue = "4", description = "nodes in the cluster, 2 to 16 (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--burst", defaultValue = "8", description = "concurrent invocations after the boot, 1 to 64 "
            + "(default: ${DEFAULT-VALUE})")
    int burst;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2 || nodes > 16 || burst < 1 || burst > 64) {
            throw new IllegalArgumentException("--nodes must be 2 to 16 and --burst 1 to 64");
        }
        SpreadBenchmark.Result withPeers = run(true);
        SpreadBenchmark.Result storeOnly = run(false);
        System.out.printf("%n%-28s %14s %14s%n", "", "peers", "store only");
        System.out.printf("%-28s %14d %14d%n", "boots", withPeers.boots(), storeOnly.boots());
        for (String kind : withPeers.startsByKind().keySet()) {
            System.out.printf("%-28s %14d %14d%n", "starts: " + kind, withPeers.startsByKind().get(kind),
                    storeOnly.startsByKind().get(kind));
        }
        System.out.printf("%-28s %14d %14d%n", "s3 bytes", withPeers.s3Bytes(), storeOnly.s3Bytes());
        System.out.printf("%-28s %14d %14d%n", "peer bytes", withPeers.peerBytes(), storeOnly.peerBytes());
        System.out.printf("%-28s %14d %14d%n", "snapshot stored bytes", withPeers.storedBytes(),
                storeOnly.storedBytes());
        System.out.printf("%-28s %14s %14s%n", "peer fetch ms p50/max", pm(withPeers.peerFetchMs()),
                pm(storeOnly.peerFetchMs()));
        System.out.printf("%-28s %14s %14s%n", "s3 fetch ms p50/max", pm(withPeers.s3FetchMs()),
                pm(storeOnly.s3FetchMs()));
        System.out.printf("%-28s %14d %14d%n", "failed invocations", withPeers.errors(), storeOnly.errors());
        output.write(() -> {
            ObjectNode root = json(withPeers);
            root.set("without_peers", json(storeOnly));
            return root;
        });
        return 0;
    }

    private SpreadBenchmark.Result run(boolean peers) throws Exception {
        try (Workbench bench = new Workbench();
                EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(nodes,
                        SchedulerPolicy.SPREAD, SnapshotMode.REMOTE, 2048, 4096, burst + 2, 0, 0,
                        bench.scratch("spread-cluster"), bench.home(), null))) {
            System.out.printf("%d nodes, burst of %d, peer fetch %s, gateway %s%n", nodes, burst,
                    peers ? "on" : "off", cluster.gatewayUrl());
            return new SpreadBenchmark(cluster, function).run(burst, peers);
        }
    }

    private static ObjectNode json(SpreadBenchmark.Result r) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("peers", r.peers()).put("nodes", r.nodes()).put("burst", r.burst()).put("boots", r.boots());
        ObjectNode kinds = root.putObject("starts_by_kind");
        for (Map.Entry<String, Long> e : r.startsByKind().entrySet()) {
            kinds.put(e.getKey(), e.getValue());
        }
        root.put("s3_bytes", r.s3Bytes()).put("peer_bytes", r.peerBytes())
                .put("snapshot_stored_bytes", r.storedBytes()).put("failed_invocations", r.errors());
        JsonOutput.putPercentiles(root, "peer_fetch_ms", r.peerFetchMs());
        JsonOutput.putPercentiles(root, "s3_fetch_ms", r.s3FetchMs());
        return root;
    }

    private static String pm(Percentiles p) {
        return p.count() == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.0f/%.0f", p.p50(), p.max());
    }
}
