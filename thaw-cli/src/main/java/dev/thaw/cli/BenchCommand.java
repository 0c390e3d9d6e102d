package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SandboxBenchmark;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", description = "Benchmarks that compare configurations side by side in one run.",
        mixinStandardHelpOptions = true, subcommands = {BenchCommand.Sandbox.class})
final class BenchCommand {

    @Command(name = "sandbox", mixinStandardHelpOptions = true,
            description = "Cold boot to first response versus restore to first response (fresh VMM, and "
                    + "pre-started VMM from the pool), on one function.")
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
                System.out.printf("function %s, %d runs per mode, QEMU %s, accelerator %s (%s)%n", spec.function(),
                        runs, driver.info().version(), driver.info().accelerator(), driver.acceleratorReason());
                SandboxBenchmark.Result result = new SandboxBenchmark(driver, spec,
                        body.getBytes(StandardCharsets.UTF_8)).run(runs, bench.scratch("bench"));
                print(result);
                if (json != null) {
                    Files.writeString(json, Json.mapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(toJson(result)) + "\n");
                    System.out.println("wrote " + json);
                }
                return 0;
            }
        }

        private static void print(SandboxBenchmark.Result r) {
            System.out.printf("%n%-34s %9s %9s %9s%n", "to first response (ms)", "p50", "p90", "max");
            for (Map.Entry<String, Percentiles> mode : r.modes().entrySet()) {
                Percentiles p = mode.getValue();
                System.out.printf("%-34s %9.1f %9.1f %9.1f%n", label(mode.getKey()), p.p50(), p.p90(), p.max());
            }
            System.out.printf("%nboot / restore (p50)          %7.1fx%n", r.ratio("boot", "restore"));
            System.out.printf("boot / pooled restore (p50)   %7.1fx%n", r.ratio("boot", "restore_pooled"));
            System.out.printf("restore / pooled restore (p50)%7.1fx%n", r.ratio("restore", "restore_pooled"));
            System.out.printf("snapshot: taken in %.0f ms; memory file %d MiB, %d MiB of it data (%.1fx smaller)%n",
                    r.snapshotMs(), r.memoryBytes() >> 20, r.memoryDataBytes() >> 20,
                    r.memoryBytes() / (double) Math.max(1, r.memoryDataBytes()));
        }

        private static String label(String mode) {
            return switch (mode) {
                case "boot" -> "cold boot";
                case "restore" -> "restore, new VMM";
                case "restore_pooled" -> "restore, pre-started VMM";
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
            root.putObject("ratio").put("boot_over_restore_p50", r.ratio("boot", "restore"))
                    .put("boot_over_restore_pooled_p50", r.ratio("boot", "restore_pooled"));
            root.put("snapshot_ms", r.snapshotMs()).put("memory_bytes", r.memoryBytes())
                    .put("memory_data_bytes", r.memoryDataBytes());
            return root;
        }
    }
}
