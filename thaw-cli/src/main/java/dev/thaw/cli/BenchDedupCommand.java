package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.DedupBenchmark;
import dev.thaw.bench.PageDiff;
import dev.thaw.node.FunctionDeployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dedup", mixinStandardHelpOptions = true,
        description = "What content-addressed snapshot chunks save. Publishes, one after another into one store, "
                + "examples/hello, an exact copy of it under another name (hello-b), examples/json-transform, and "
                + "a second revision of hello with a one-line change; reports for each the bytes the store grew by "
                + "and the bytes a node holding the earlier ones fetches. Then cuts the published snapshots at 64 KiB "
                + "to 1 MiB chunks and reports deduplication against the number of chunk objects, and compares "
                + "each snapshot's guest memory with the first's, 4 KiB page by page. Uses Thaw's "
                + "embedded S3 server on loopback unless --s3-endpoint is given.")
final class BenchDedupCommand implements Callable<Integer> {
    @Option(names = "--examples", defaultValue = "examples", paramLabel = "DIR",
            description = "the directory holding hello and json-transform (default: ${DEFAULT-VALUE})")
    Path examples;

    @Mixin
    JsonOutput output;

    @Mixin
    S3Options s3Options;

    @Override
    public Integer call() throws Exception {
        Path hello = examples.resolve("hello");
        Path transform = examples.resolve("json-transform");
        try (Workbench bench = new Workbench();
                S3Options.Opened s3 = s3Options.open(bench.scratch("bench-s3"))) {
            Path variants = bench.scratch("dedup-functions");
            Path copy = copyOf(hello, variants.resolve("hello-b"));
            replaceLine(copy.resolve("thaw.yaml"), "name: hello", "name: hello-b");
            Path revision = copyOf(hello, variants.resolve("hello-r2"));
            replaceLine(revision.resolve("main.py"), "    return b\"hello, \" + (body or b\"world\")",
                    "    return b\"hello again, \" + (body or b\"world\")");
            List<DedupBenchmark.Subject> subjects = new ArrayList<>();
            subjects.add(subject(bench, "hello", hello));
            subjects.add(subject(bench, "hello-b (exact copy)", copy));
            subjects.add(subject(bench, "json-transform", transform));
            subjects.add(subject(bench, "hello (one-line revision)", revision));
            var driver = bench.driver();
            System.out.printf("QEMU %s, accelerator %s (%s), S3 at %s%n", driver.info().version(),
                    driver.info().accelerator(), driver.acceleratorReason(), s3.describe());
            DedupBenchmark.Result result = new DedupBenchmark(driver, s3.objects())
                    .run(subjects, bench.scratch("dedup-nodes"));
            print(result);
            output.write(() -> toJson(result));
            return 0;
        }
    }

    private static DedupBenchmark.Subject subject(Workbench bench, String name, Path dir) throws Exception {
        byte[] body = dev.thaw.api.FunctionManifests.exampleRequest(dir).map(dev.thaw.api.ExampleRequest::body)
                .orElse("thaw".getBytes(StandardCharsets.UTF_8));
        return new DedupBenchmark.Subject(name, new FunctionDeployment(bench.spec(bench.image(dir)), true), body);
    }

    private static Path copyOf(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                if (Files.isRegularFile(file)) {
                    Files.copy(file, target.resolve(file.getFileName()));
                }
            }
        }
        return target;
    }

    private static void replaceLine(Path file, String line, String with) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        int at = lines.indexOf(line);
        if (at < 0) {
            throw new IOException(file + " has no line '" + line + "' to change");
        }
        lines.set(at, with);
        Files.write(file, lines);
    }

    private static void print(DedupBenchmark.Result r) {
        double first = r.firstStoredBytes();
        System.out.printf("%nsnapshots (manifests and chunks); image layers apart, not chunked%n");
        System.out.printf("%-28s %14s %8s %14s %8s %9s %12s%n", "function", "store added", "of 1st", "node fetches",
                "of 1st", "new/all", "image added");
        for (DedupBenchmark.Function f : r.functions()) {
            System.out.printf("%-28s %14d %7.2f%% %14d %7.2f%% %4d/%-4d %12d%n", f.name(), f.storedBytesAdded(),
                    100 * f.storedBytesAdded() / first, f.nodeBytesAdded(), 100 * f.nodeBytesAdded() / first,
                    f.newChunks(), f.chunks(), f.imageBytesAdded());
        }
        System.out.printf("%ntargets: exact copy <= 2 %% of the first's stored bytes, one-line revision <= 10 %%%n");
        System.out.printf("%n%-10s %10s %10s %12s %8s %12s %10s %10s %10s%n", "chunk", "objects", "hello GETs",
                "stored", "dedup", "hello", "copy adds", "json adds", "rev adds");
        for (DedupBenchmark.ChunkSize c : r.chunkSizes()) {
            System.out.printf("%-10s %10d %10d %12d %7.3fx %12d %9.2f%% %9.2f%% %9.2f%%%n", (c.chunkSize() >> 10) + " KiB",
                    c.distinctChunks(), c.firstChunks(), c.storedBytes(), c.dedupRatio(), c.firstBytes(),
                    share(c, 0), share(c, 1), share(c, 2));
        }
        System.out.printf("%nguest memory against %s's, 4 KiB pages at the same guest-physical address%n",
                r.functions().getFirst().name());
        System.out.printf("%-28s %7s %7s %7s %7s %7s %7s  %s%n", "function", "zero", "same", "moved", "freed",
                "changed", "differ", "differing pages (moved or changed) by guest-physical MiB");
        for (int i = 0; i < r.pageDiffs().size(); i++) {
            PageDiff d = r.pageDiffs().get(i);
            System.out.printf("%-28s %7d %7d %7d %7d %7d %6.2f%%  %s%n", r.functions().get(i + 1).name(), d.zero(),
                    d.same(), d.moved(), d.freed(), d.changed(), 100.0 * d.differing() / d.pages(),
                    d.describeRegions());
        }
    }

    private static double share(DedupBenchmark.ChunkSize c, int index) {
        return index < c.addedBytes().size() ? 100.0 * c.addedBytes().get(index) / c.firstBytes() : Double.NaN;
    }

    private static ObjectNode toJson(DedupBenchmark.Result r) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("first_stored_bytes", r.firstStoredBytes());
        ArrayNode functions = root.putArray("functions");
        for (DedupBenchmark.Function f : r.functions()) {
            functions.addObject().put("name", f.name()).put("function", f.function()).put("revision", f.revision())
                    .put("stored_bytes_added", f.storedBytesAdded()).put("node_bytes_added", f.nodeBytesAdded())
                    .put("snapshot_stored_bytes", f.snapshotStoredBytes()).put("chunks", f.chunks())
                    .put("new_chunks", f.newChunks()).put("image_bytes_added", f.imageBytesAdded())
                    .put("stored_added_over_first", f.storedBytesAdded() / (double) r.firstStoredBytes());
        }
        ArrayNode sizes = root.putArray("chunk_sizes");
        for (DedupBenchmark.ChunkSize c : r.chunkSizes()) {
            ObjectNode size = sizes.addObject().put("chunk_bytes", c.chunkSize()).put("chunks", c.chunks())
                    .put("objects", c.distinctChunks()).put("stored_bytes", c.storedBytes())
                    .put("per_snapshot_bytes", c.perSnapshotBytes()).put("dedup_ratio", c.dedupRatio())
                    .put("first_objects", c.firstChunks()).put("first_bytes", c.firstBytes());
            ArrayNode added = size.putArray("added_bytes");
            c.addedBytes().forEach(added::add);
        }
        ArrayNode pages = root.putArray("page_diffs");
        for (int i = 0; i < r.pageDiffs().size(); i++) {
            PageDiff d = r.pageDiffs().get(i);
            ObjectNode diff = pages.addObject().put("name", r.functions().get(i + 1).name()).put("pages", d.pages())
                    .put("zero", d.zero()).put("same", d.same()).put("moved", d.moved()).put("freed", d.freed())
                    .put("changed", d.changed()).put("region_bytes", PageDiff.REGION_BYTES);
            ArrayNode regions = diff.putArray("differing_by_region");
            d.regions().forEach(regions::add);
        }
        return root;
    }
}
