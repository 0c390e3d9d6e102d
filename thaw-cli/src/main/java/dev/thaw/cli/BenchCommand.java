package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SandboxBenchmark;
import dev.thaw.bench.ExtenderBenchmark;
import dev.thaw.bench.GatewayBenchmark;
import dev.thaw.bench.SnapshotBenchmark;
import dev.thaw.control.cluster.EmbeddedCluster;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.FunctionDeployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks that compare configurations side by side in one run.",
        mixinStandardHelpOptions = true, subcommands = {BenchCommand.Sandbox.class, BenchCommand.Snapshot.class, BenchCommand.Gateway.class,
                BenchCommand.Extender.class})
final class BenchCommand {

    /** Writes a benchmark's results as pretty JSON and says where. */
    static void writeJson(Path json, ObjectNode root) throws java.io.IOException {
        Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        System.out.println("wrote " + json);
    }

    static void putPercentiles(ObjectNode root, String name, Percentiles p) {
        root.putObject(name).put("p50", p.p50()).put("p90", p.p90()).put("p99", p.p99()).put("max", p.max());
    }

    @Command(name = "sandbox", mixinStandardHelpOptions = true,
            description = "Cold boot to first response versus restore to first response (fresh VMM, and "
                    + "pre-started VMM from the pool), on one function. Both restores are also measured on VMMs "
                    + "that are not confined, in turn with the confined ones, to show what confinement costs.")
    static final class Sandbox implements Callable<Integer> {
        @Option(names = "--function", required = true, paramLabel = "DIR", description = "function directory")
        Path function;

        @Option(names = "--runs", defaultValue = "10", description = "samples per mode (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--body", defaultValue = "", description = "request body sent as the first request")
        String body;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
        Path json;

        @Override
        public Integer call() throws Exception {
            if (runs < 1) {
                throw new IllegalArgumentException("--runs must be at least 1");
            }
            try (Workbench bench = new Workbench()) {
                var spec = bench.spec(bench.image(function));
                var driver = bench.driver();
                var unconfined = bench.unconfinedDriver();
                System.out.printf("function %s, %d runs per mode, QEMU %s, accelerator %s (%s)%n", spec.function(),
                        runs, driver.info().version(), driver.info().accelerator(), driver.acceleratorReason());
                System.out.printf("VMM confinement: %s%n", driver.confinement().describe());
                SandboxBenchmark.Result result = new SandboxBenchmark(driver, unconfined, spec,
                        body.getBytes(StandardCharsets.UTF_8)).run(runs, bench.scratch("bench"));
                print(result);
                if (json != null) {
                    writeJson(json, toJson(result));
                }
                return 0;
            }
        }

        private static void print(SandboxBenchmark.Result r) {
            System.out.printf("%n%-34s %9s %9s %9s%n", "to first response (ms)", "p50", "p90", "max");
            for (Map.Entry<String, Percentiles> mode : r.modes().entrySet()) {
                Percentiles p = mode.getValue();
                if (!mode.getKey().endsWith("_host")) {
                    System.out.printf("%-34s %9.1f %9.1f %9.1f%n", label(mode.getKey()), p.p50(), p.p90(), p.max());
                }
            }
            System.out.printf("%n%-34s %9s %9s %9s%n", "host side: VMM + device state (ms)", "p50", "p90", "max");
            for (Map.Entry<String, Percentiles> mode : r.modes().entrySet()) {
                Percentiles p = mode.getValue();
                if (mode.getKey().endsWith("_host")) {
                    String name = mode.getKey().substring(0, mode.getKey().length() - "_host".length());
                    System.out.printf("%-34s %9.2f %9.2f %9.2f%n", label(name), p.p50(), p.p90(), p.max());
                }
            }
            System.out.printf("%nboot / restore (p50)          %7.1fx%n", r.ratio("boot", "restore"));
            System.out.printf("boot / pooled restore (p50)   %7.1fx%n", r.ratio("boot", "restore_pooled"));
            System.out.printf("restore / pooled restore (p50)%7.1fx%n", r.ratio("restore", "restore_pooled"));
            for (String mode : java.util.List.of("restore", "restore_pooled")) {
                Percentiles unconfined = r.modes().get(mode + "_unconfined");
                if (unconfined != null) {
                    double confined = r.modes().get(mode).p50();
                    System.out.printf("confinement, %-24s p50 %+.1f ms (%.1f confined / %.1f unconfined = %.2fx)%n",
                            label(mode) + ":", confined - unconfined.p50(), confined, unconfined.p50(),
                            r.ratio(mode, mode + "_unconfined"));
                    double host = r.modes().get(mode + "_host").p50();
                    double hostUnconfined = r.modes().get(mode + "_unconfined_host").p50();
                    System.out.printf("  host side alone:                p50 %+.2f ms (%.2f / %.2f = %.2fx)%n",
                            host - hostUnconfined, host, hostUnconfined, host / hostUnconfined);
                }
            }
            System.out.printf("snapshot: taken in %.0f ms; memory file %d MiB, %d MiB of it data (%.1fx smaller)%n",
                    r.snapshotMs(), r.memoryBytes() >> 20, r.memoryDataBytes() >> 20,
                    r.memoryBytes() / (double) Math.max(1, r.memoryDataBytes()));
        }

        private static String label(String mode) {
            return switch (mode) {
                case "boot" -> "cold boot";
                case "restore" -> "restore, new VMM";
                case "restore_pooled" -> "restore, pre-started VMM";
                case "restore_unconfined" -> "restore, new VMM, unconfined";
                case "restore_pooled_unconfined" -> "restore, pre-started, unconfined";
                default -> mode;
            };
        }

        private static ObjectNode toJson(SandboxBenchmark.Result r) {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("function", r.function()).put("accel", r.accelerator()).put("runs", r.runs());
            for (Map.Entry<String, Percentiles> mode : r.modes().entrySet()) {
                ObjectNode node = root.putObject(mode.getKey() + "_ms");
                node.put("p50", mode.getValue().p50()).put("p90", mode.getValue().p90())
                        .put("max", mode.getValue().max());
            }
            ObjectNode ratio = root.putObject("ratio").put("boot_over_restore_p50", r.ratio("boot", "restore"))
                    .put("boot_over_restore_pooled_p50", r.ratio("boot", "restore_pooled"));
            if (r.modes().containsKey("restore_unconfined")) {
                ratio.put("confined_over_unconfined_restore_p50", r.ratio("restore", "restore_unconfined"))
                        .put("confined_over_unconfined_restore_pooled_p50",
                                r.ratio("restore_pooled", "restore_pooled_unconfined"));
            }
            root.put("snapshot_ms", r.snapshotMs()).put("memory_bytes", r.memoryBytes())
                    .put("memory_data_bytes", r.memoryDataBytes());
            return root;
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true,
            description = "Where a cold start's snapshot comes from, to first response: boot (no snapshot), restore "
                    + "from the node's local cache, and restore on a node whose cache lacks the snapshot, fetched "
                    + "from S3 (Thaw's embedded S3 server on loopback unless --s3-endpoint is given; the shared base "
                    + "image is already cached). The snapshot it publishes stays in the bucket.")
    static final class Snapshot implements Callable<Integer> {
        @Option(names = "--function", required = true, paramLabel = "DIR", description = "function directory")
        Path function;

        @Option(names = "--runs", defaultValue = "10", description = "samples per tier (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--body", defaultValue = "", description = "request body sent as the first request")
        String body;

        @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
        Path json;

        @Mixin
        S3Options s3Options;

        @Override
        public Integer call() throws Exception {
            if (runs < 1) {
                throw new IllegalArgumentException("--runs must be at least 1");
            }
            try (Workbench bench = new Workbench();
                    S3Options.Opened s3 = s3Options.open(bench.scratch("bench-s3"))) {
                var spec = bench.spec(bench.image(function));
                var driver = bench.driver();
                System.out.printf("function %s, %d runs per tier, QEMU %s, accelerator %s (%s), S3 at %s%n",
                        spec.function(), runs, driver.info().version(), driver.info().accelerator(),
                        driver.acceleratorReason(), s3.describe());
                SnapshotBenchmark.Result result = new SnapshotBenchmark(driver, s3.objects(),
                        new FunctionDeployment(spec, true), body.getBytes(StandardCharsets.UTF_8))
                        .run(runs, bench.scratch("nodes"));
                print(result);
                if (json != null) {
                    writeJson(json, toJson(result));
                }
                return 0;
            }
        }

        private static void print(SnapshotBenchmark.Result r) {
            System.out.printf("%n%-40s %9s %9s %9s%n", "to first response (ms)", "p50", "p90", "max");
            row("boot (no snapshot)", r.boot());
            row("restore from local cache", r.local());
            row("restore from remote store", r.remote());
            row("  of which fetch (snapshot + layer)", r.fetch());
            row("    snapshot fetch", r.snapshotFetch());
            row("    image layer fetch", r.imageFetch());
            row("  authentication (timed alone)", r.verify());
            System.out.printf("%nremote / boot (p50)     %6.3f   (thesis: 757/6698 = 0.11 controlled, 4541/5398 = 0.84 "
                    + "trace)%n", r.remoteOverBoot());
            System.out.printf("remote / local (p50)    %6.2fx  (thesis: 757/197 = 3.8x)%n", r.remoteOverLocal());
            System.out.printf("fetch share of remote   %5.1f %%  (thesis: 73.5 %%)%n", 100 * r.fetchShareOfRemote());
            System.out.printf("authentication / remote %5.1f %%  (signature of info.json + whole-layer SHA-256;"
                    + " target <= 5 %%)%n", 100 * r.verifyShareOfRemote());
            System.out.printf("snapshot: %.1f MiB raw, %.1f MiB stored (stored / raw = %.3f), %.1f MiB fetched per "
                    + "remote start%n", r.rawBytes() / 1048576.0, r.storedBytes() / 1048576.0, r.storedOverRaw(),
                    r.fetchedBytes() / 1048576.0);
        }

        private static void row(String label, Percentiles p) {
            System.out.printf("%-40s %9.1f %9.1f %9.1f%n", label, p.p50(), p.p90(), p.max());
        }

        private static ObjectNode toJson(SnapshotBenchmark.Result r) {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("function", r.function()).put("accel", r.accelerator()).put("runs", r.runs());
            putPercentiles(root, "boot_ms", r.boot());
            putPercentiles(root, "local_ms", r.local());
            putPercentiles(root, "remote_ms", r.remote());
            putPercentiles(root, "fetch_ms", r.fetch());
            putPercentiles(root, "snapshot_fetch_ms", r.snapshotFetch());
            putPercentiles(root, "image_fetch_ms", r.imageFetch());
            putPercentiles(root, "verify_ms", r.verify());
            root.put("raw_bytes", r.rawBytes()).put("stored_bytes", r.storedBytes())
                    .put("fetched_bytes", r.fetchedBytes());
            root.putObject("ratio").put("remote_over_boot_p50", r.remoteOverBoot())
                    .put("remote_over_local_p50", r.remoteOverLocal())
                    .put("stored_over_raw", r.storedOverRaw())
                    .put("fetch_share_of_remote_p50", r.fetchShareOfRemote())
                    .put("verify_share_of_remote_p50", r.verifyShareOfRemote());
            return root;
        }

    }

    @Command(name = "gateway", mixinStandardHelpOptions = true,
            description = "The gateway's own overhead on warm invocations (through the gateway versus directly on "
                    + "the node, alternating, on the same warm instance) and warm throughput through the gateway, "
                    + "on a one-node cluster started for the run.")
    static final class Gateway implements Callable<Integer> {
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

        @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
        Path json;

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
                if (json != null) {
                    ObjectNode root = Json.mapper().createObjectNode();
                    root.put("function", r.function()).put("samples", r.samples());
                    putPercentiles(root, "gateway_ms", r.gateway());
                    putPercentiles(root, "direct_ms", r.direct());
                    putPercentiles(root, "overhead_ms", r.overhead());
                    root.put("warm_rps", r.warmRps()).put("clients", r.clients()).put("instances", r.instances())
                            .put("errors", r.errors());
                    writeJson(json, root);
                }
                return 0;
            }
        }

        private static void row(String label, Percentiles p) {
            System.out.printf("%-34s %9.2f %9.2f %9.2f %9.2f%n", label, p.p50(), p.p90(), p.p99(), p.max());
        }

    }

    @Command(name = "extender", mixinStandardHelpOptions = true,
            description = "The scheduler extender's scoring on a simulated cluster: every node caches a skewed random "
                    + "subset of the revisions and has a random load; each request filters and prioritizes all "
                    + "nodes, as kube-scheduler asks with nodeCacheCapable. Also times decoding a 1,000-node "
                    + "request and encoding its answer.")
    static final class Extender implements Callable<Integer> {
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

        @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
        Path json;

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
            if (json != null) {
                ObjectNode root = Json.mapper().createObjectNode();
                root.put("nodes", r.nodes()).put("revisions", r.revisions()).put("requests", r.requests())
                        .put("cached_entries", r.cachedEntries()).put("cache_view_bytes", r.cacheViewBytes());
                putPercentiles(root, "prioritize_ms", r.prioritizeMs());
                putPercentiles(root, "filter_ms", r.filterMs());
                putPercentiles(root, "json_ms", r.jsonMs());
                writeJson(json, root);
            }
            return 0;
        }

        private static void row(String label, Percentiles p) {
            System.out.printf("%-40s %9.3f %9.3f %9.3f %9.3f%n", label, p.p50(), p.p90(), p.p99(), p.max());
        }

    }
}
