package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SnapshotBenchmark;
import dev.thaw.node.FunctionDeployment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Where a cold start's snapshot comes from, to first response: boot (no snapshot), restore "
                + "from the node's local cache, and restore on a node whose cache lacks the snapshot, fetched "
                + "from S3 (Thaw's embedded S3 server on loopback unless --s3-endpoint is given; the shared base "
                + "image is already cached). The snapshot it publishes stays in the bucket.")
final class BenchSnapshotCommand implements Callable<Integer> {
    @Mixin
    BenchFunctionOptions run;

    @Mixin
    JsonOutput output;

    @Mixin
    S3Options s3Options;

    @Override
    public Integer call() throws Exception {
        run.check();
        try (Workbench bench = new Workbench();
                S3Options.Opened s3 = s3Options.open(bench.scratch("bench-s3"))) {
            var spec = bench.spec(bench.image(run.function()));
            var driver = bench.driver();
            System.out.printf("function %s, %d runs per tier, QEMU %s, accelerator %s (%s), S3 at %s%n",
                    spec.function(), run.runs(), driver.info().version(), driver.info().accelerator(),
                    driver.acceleratorReason(), s3.describe());
            SnapshotBenchmark.Result result = new SnapshotBenchmark(driver, s3.objects(),
                    new FunctionDeployment(spec, true), run.body())
                    .run(run.runs(), bench.scratch("nodes"));
            print(result);
            output.write(() -> toJson(result));
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
        System.out.printf("remote start: %.1f MiB fetched up to the first response (p50)%n",
                r.remoteFetched().p50() / 1048576.0);
    }

    private static void row(String label, Percentiles p) {
        System.out.printf("%-40s %9.1f %9.1f %9.1f%n", label, p.p50(), p.p90(), p.max());
    }

    private static ObjectNode toJson(SnapshotBenchmark.Result r) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("function", r.function()).put("accel", r.accelerator()).put("runs", r.runs());
        JsonOutput.putPercentiles(root, "boot_ms", r.boot());
        JsonOutput.putPercentiles(root, "local_ms", r.local());
        JsonOutput.putPercentiles(root, "remote_ms", r.remote());
        JsonOutput.putPercentiles(root, "fetch_ms", r.fetch());
        JsonOutput.putPercentiles(root, "snapshot_fetch_ms", r.snapshotFetch());
        JsonOutput.putPercentiles(root, "image_fetch_ms", r.imageFetch());
        JsonOutput.putPercentiles(root, "verify_ms", r.verify());
        JsonOutput.putPercentiles(root, "remote_fetched_bytes", r.remoteFetched());
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
