package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --json FILE}: a benchmark's results also written as pretty JSON. */
final class JsonOutput {
    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    Path json;

    /** Writes the document {@code root} builds when {@code --json} was given, and says where. */
    void write(Supplier<ObjectNode> root) throws IOException {
        if (json != null) {
            Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root.get())
                    + "\n");
            System.out.println("wrote " + json);
        }
    }

    static void putPercentiles(ObjectNode root, String name, Percentiles p) {
        if (p.count() == 0) {
            root.putNull(name); // no sample of that kind in the run
            return;
        }
        root.putObject(name).put("p50", p.p50()).put("p90", p.p90()).put("p99", p.p99()).put("max", p.max());
    }
}
