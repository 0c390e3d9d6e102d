package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.ExtenderBenchmark;
import dev.thaw.bench.Percentiles;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "extender", mixinStandardHelpOptions = true,
        description = "The scheduler extender's scoring on a simulated cluster: every node caches a skewed random "
                + "subset of the revisions and has a random load; each request filters and prioritizes all "
                + "nodes, as kube-scheduler asks with nodeCacheCapable. Also times decoding a 1,000-node "
                + "request and encoding its answer.")
final class BenchExtenderCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "candidate nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--revisions", defaultValue = "10000",
            description = "function revisions in the cluster (default: ${DEFAULT-VALUE})")
    int revisions;

    @Option(names = "--requests", defaultValue = "2000",
            description = "timed requests, after as many warm-up ones (default: ${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || revisions < 1 || requests < 1) {
            throw new IllegalArgumentException("--nodes, --revisions and --requests must be >= 1");
        }
        ExtenderBenchmark.Result r = ExtenderBenchmark.run(nodes, revisions, requests, seed);
        System.out.printf("%d nodes, %d revisions, %d cached entries (view ~%.1f MB), %d requests%n%n",
                r.nodes(), r.revisions(), r.cachedEntries(), r.cacheViewBytes() / 1e6, r.requests());
        System.out.printf("%-40s %9s %9s %9s %9s%n", "per request (ms)", "p50", "p90", "p99", "max");
        row("prioritize (all nodes)", r.prioritizeMs());
        row("filter (all nodes)", r.filterMs());
        row("JSON decode + encode (" + nodes + " names)", r.jsonMs());
        System.out.printf("%ntarget: prioritize p99 <= 5 ms on 1,000 nodes: %s%n",
                r.prioritizeMs().p99() <= 5 ? "met" : "not met");
        output.write(() -> {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("nodes", r.nodes()).put("revisions", r.revisions()).put("requests", r.requests())
                    .put("cached_entries", r.cachedEntries()).put("cache_view_bytes", r.cacheViewBytes());
            JsonOutput.putPercentiles(root, "prioritize_ms", r.prioritizeMs());
            JsonOutput.putPercentiles(root, "filter_ms", r.filterMs());
            JsonOutput.putPercentiles(root, "json_ms", r.jsonMs());
            return root;
        });
        return 0;
    }

    private static void row(String label, Percentiles p) {
        System.out.printf("%-40s %9.3f %9.3f %9.3f %9.3f%n", label, p.p50(), p.p90(), p.p99(), p.max());
    }

}
