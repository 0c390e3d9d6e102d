package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SpreadBenchmark;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.node.SnapshotMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "spread", mixinStandardHelpOptions = true,
        description = "A burst right after a function's first boot, before its snapshot is in the store: on a "
                + "fresh cluster of --nodes nodes (remote snapshots, embedded S3, spread placement) the function "
                + "boots once, then --burst concurrent invocations need new instances on the other nodes. Run "
                + "three times, side by side: with nodes reading snapshots from each other; with the store only; "
                + "and with the store only once the boot's snapshot is in it (the store's fetch time).")
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
        SpreadBenchmark.Result peers = run(SpreadBenchmark.Mode.PEERS);
        SpreadBenchmark.Result store = run(SpreadBenchmark.Mode.STORE);
        SpreadBenchmark.Result published = run(SpreadBenchmark.Mode.STORE_PUBLISHED);
        List<SpreadBenchmark.Result> runs = List.of(peers, store, published);
        System.out.printf("%n%-28s %14s %14s %16s%n", "", "peers", "store only", "store, published");
        row("boots", runs, r -> Long.toString(r.boots()));
        for (String kind : peers.startsByKind().keySet()) {
            row("starts: " + kind, runs, r -> Long.toString(r.startsByKind().get(kind)));
        }
        row("s3 bytes", runs, r -> Long.toString(r.s3Bytes()));
        row("peer bytes", runs, r -> Long.toString(r.peerBytes()));
        row("snapshot stored bytes", runs, r -> Long.toString(r.storedBytes()));
        row("peer fetch ms p50/max", runs, r -> pm(r.peerFetchMs()));
        row("s3 fetch ms p50/max", runs, r -> pm(r.s3FetchMs()));
        row("image fetch ms p50/max", runs, r -> pm(r.imageFetchMs()));
        row("failed invocations", runs, r -> Long.toString(r.errors()));
        row("waited for the store, ms", runs, r -> Double.isNaN(r.publishWaitMs()) ? "-"
                : String.format(Locale.ROOT, "%.0f", r.publishWaitMs()));
        if (peers.peerFetchMs().count() > 0 && published.s3FetchMs().count() > 0) {
            System.out.printf(Locale.ROOT, "%-28s %14.2f%n", "peer p50 / store p50", peers.peerFetchMs().p50()
                    / published.s3FetchMs().p50());
        }
        output.write(() -> {
            ObjectNode root = json(peers);
            root.set("without_peers", json(store));
            root.set("without_peers_published", json(published));
            return root;
        });
        return 0;
    }

    private static void row(String label, List<SpreadBenchmark.Result> runs,
            java.util.function.Function<SpreadBenchmark.Result, String> cell) {
        System.out.printf("%-28s %14s %14s %16s%n", label, cell.apply(runs.get(0)), cell.apply(runs.get(1)),
                cell.apply(runs.get(2)));
    }

    private SpreadBenchmark.Result run(SpreadBenchmark.Mode mode) throws Exception {
        try (Workbench bench = new Workbench();
                EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(nodes,
                        SchedulerPolicy.SPREAD, SnapshotMode.REMOTE, 2048, 4096, burst + 2, 0, 0,
                        bench.scratch("spread-cluster"), bench.home(), null))) {
            System.out.printf("%d nodes, burst of %d, %s, gateway %s%n", nodes, burst, switch (mode) {
                case PEERS -> "peer fetch on";
                case STORE -> "peer fetch off";
                case STORE_PUBLISHED -> "peer fetch off, burst once the snapshot is in the store";
            }, cluster.gatewayUrl());
            return new SpreadBenchmark(cluster, function).run(burst, mode);
        }
    }

    private static ObjectNode json(SpreadBenchmark.Result r) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("peers", r.mode().peers()).put("after_publication", r.mode().afterPublication())
                .put("nodes", r.nodes()).put("burst", r.burst()).put("boots", r.boots());
        ObjectNode kinds = root.putObject("starts_by_kind");
        for (Map.Entry<String, Long> e : r.startsByKind().entrySet()) {
            kinds.put(e.getKey(), e.getValue());
        }
        root.put("s3_bytes", r.s3Bytes()).put("peer_bytes", r.peerBytes())
                .put("snapshot_stored_bytes", r.storedBytes()).put("failed_invocations", r.errors());
        JsonOutput.putPercentiles(root, "peer_fetch_ms", r.peerFetchMs());
        JsonOutput.putPercentiles(root, "s3_fetch_ms", r.s3FetchMs());
        JsonOutput.putPercentiles(root, "image_fetch_ms", r.imageFetchMs());
        if (Double.isNaN(r.publishWaitMs())) {
            root.putNull("publish_wait_ms");
        } else {
            root.put("publish_wait_ms", r.publishWaitMs());
        }
        return root;
    }

    private static String pm(Percentiles p) {
        return p.count() == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.0f/%.0f", p.p50(), p.max());
    }
}
