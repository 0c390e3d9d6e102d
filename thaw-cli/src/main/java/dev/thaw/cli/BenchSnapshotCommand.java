package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SnapshotBenchmark;
import dev.thaw.bench.WorkingSetBenchmark;
import java.util.List;
import dev.thaw.node.FunctionDeployment;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Option(names = "--chunk-sizes", split = ",", paramLabel = "KIB",
            description = "Chunk sizes in KiB at which lazy remote starts are compared without and with a working "
                    + "set (the snapshot is published again at each; default: ${DEFAULT-VALUE}).",
            defaultValue = "1024")
    List<Integer> chunkSizesKib;

    @Override
    public Integer call() throws Exception {
        run.check();
        for (int kib : chunkSizesKib) {
            if (kib < 4 || kib > 65536 || kib % 4 != 0) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--chunk-sizes: " + kib + " KiB is not a multiple of 4 KiB from 4 to 65536");
            }
        }
        try (Workbench bench = new Workbench();
                S3Options.Opened s3 = s3Options.open(bench.scratch("bench-s3"))) {
            var spec = bench.spec(bench.image(run.function()));
            var driver = bench.driver();
            System.out.printf("function %s, %d runs per tier, QEMU %s, accelerator %s (%s), S3 at %s%n",
                    spec.function(), run.runs(), driver.info().version(), driver.info().accelerator(),
                    driver.acceleratorReason(), s3.describe());
            SnapshotBenchmark benchmark = new SnapshotBenchmark(driver, s3.objects(),
                    new FunctionDeployment(spec, true), run.body())
                    .chunkSizes(chunkSizesKib.stream().map(kib -> kib << 10).toList());
            SnapshotBenchmark.Result result = benchmark.run(run.runs(), bench.scratch("nodes"));
            print(result);
            print(benchmark.workingSets());
            output.write(() -> withWorkingSets(toJson(result), benchmark.workingSets()));
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
        System.out.printf("remote start: %.0f reads of guest memory served from the page pack, %.0f missed it (p50)%n",
                r.remotePackServed().p50(), r.remotePackMissed().p50());
        System.out.printf("image layer: %.1f MiB, %.2f MiB of it fetched by a remote start (p50, %.1f %%; target"
                + " <= 30 %%)%n", r.imageBytes() / 1048576.0, r.remoteImageFetched().p50() / 1048576.0,
                100 * r.imageFetchedShare());
        System.out.printf("node without the base image: %.2f MiB of %.1f MiB of images fetched (%.1f %%)%n",
                r.bareImageFetched() / 1048576.0, r.allImageBytes() / 1048576.0,
                100.0 * r.bareImageFetched() / r.allImageBytes());
    }

    private static void print(List<WorkingSetBenchmark.SizeResult> sizes) {
        System.out.printf("%nlazy remote starts without and with the working set (p50, same run)%n");
        System.out.printf("%-8s %8s %10s %10s %8s %9s %12s %12s %10s %10s %11s %11s%n", "chunk", "objects",
                "stored MiB", "set MiB", "set n", "pack MiB", "without ms", "with ms", "fetched w/o", "fetched w/",
                "pack served", "pack missed");
        for (WorkingSetBenchmark.SizeResult s : sizes) {
            System.out.printf("%-8s %8d %10.1f %10.1f %8.0f %9.1f %12.1f %12.1f %10.1f %10.1f %11.0f %11.0f%n",
                    (s.chunkBytes() >> 10) + " KiB", s.chunkObjects(), s.storedBytes() / 1048576.0,
                    s.workingSetBytes().p50() / 1048576.0, s.workingSetChunks().p50(), s.packBytes().p50() / 1048576.0,
                    s.remoteWithout().p50(),
                    s.remoteWith().p50(), s.fetchedWithout().p50() / 1048576.0, s.fetchedWith().p50() / 1048576.0,
                    s.packServedWith().p50(), s.packMissedWith().p50());
        }
        System.out.printf("(MiB fetched to the first response; pack served / missed: reads of guest memory each start"
                + " with the set took from its page pack / from chunks)%n");
    }

    /**
     * Adds {@code working_set_bytes} (at the first chunk size measured) and, per chunk size, the
     * comparison without and with the working set under {@code working_set}.
     */
    private static ObjectNode withWorkingSets(ObjectNode root, List<WorkingSetBenchmark.SizeResult> sizes) {
        if (sizes.isEmpty()) {
            return root;
        }
        JsonOutput.putPercentiles(root, "working_set_bytes", sizes.getFirst().workingSetBytes());
        JsonOutput.putPercentiles(root, "working_set_pack_bytes", sizes.getFirst().packBytes());
        var array = root.putArray("working_set");
        for (WorkingSetBenchmark.SizeResult s : sizes) {
            ObjectNode size = array.addObject();
            size.put("chunk_bytes", s.chunkBytes()).put("chunk_objects", s.chunkObjects())
                    .put("stored_bytes", s.storedBytes());
            JsonOutput.putPercentiles(size, "working_set_bytes", s.workingSetBytes());
            JsonOutput.putPercentiles(size, "working_set_chunks", s.workingSetChunks());
            JsonOutput.putPercentiles(size, "working_set_pack_bytes", s.packBytes());
            JsonOutput.putPercentiles(size, "remote_ms_without", s.remoteWithout());
            JsonOutput.putPercentiles(size, "remote_ms_with", s.remoteWith());
            JsonOutput.putPercentiles(size, "remote_fetched_bytes_without", s.fetchedWithout());
            JsonOutput.putPercentiles(size, "remote_fetched_bytes_with", s.fetchedWith());
            JsonOutput.putPercentiles(size, "pack_reads_served", s.packServedWith());
            JsonOutput.putPercentiles(size, "pack_reads_missed", s.packMissedWith());
            size.put("with_over_without_ms_p50", s.remoteWith().p50() / s.remoteWithout().p50());
        }
        return root;
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
        JsonOutput.putPercentiles(root, "remote_pack_reads_served", r.remotePackServed());
        JsonOutput.putPercentiles(root, "remote_pack_reads_missed", r.remotePackMissed());
        root.put("raw_bytes", r.rawBytes()).put("stored_bytes", r.storedBytes())
                .put("fetched_bytes", r.fetchedBytes());
        JsonOutput.putPercentiles(root, "remote_image_fetched_bytes", r.remoteImageFetched());
        root.put("image_bytes", r.imageBytes()).put("bare_image_fetched_bytes", r.bareImageFetched())
                .put("all_image_bytes", r.allImageBytes());
        root.putObject("ratio").put("remote_over_boot_p50", r.remoteOverBoot())
                .put("remote_over_local_p50", r.remoteOverLocal())
                .put("stored_over_raw", r.storedOverRaw())
                .put("fetch_share_of_remote_p50", r.fetchShareOfRemote())
                .put("verify_share_of_remote_p50", r.verifyShareOfRemote())
                .put("image_fetched_share_p50", r.imageFetchedShare());
        return root;
    }

}
