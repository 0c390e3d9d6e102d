package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import dev.thaw.bench.Percentiles;
import dev.thaw.bench.SandboxBenchmark;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Cold boot to first response versus restore to first response (fresh VMM, and "
                + "pre-started VMM from the pool), on one function. Both restores are also measured on VMMs "
                + "that are not confined, in turn with the confined ones, to show what confinement costs.")
final class BenchSandboxCommand implements Callable<Integer> {
    @Mixin
    BenchFunctionOptions run;

    @Mixin
    JsonOutput output;

    @Override
    public Integer call() throws Exception {
        run.check();
        try (Workbench bench = new Workbench()) {
            var spec = bench.spec(bench.image(run.function()));
            var driver = bench.driver();
            var unconfined = bench.unconfinedDriver();
            System.out.printf("function %s, %d runs per mode, QEMU %s, accelerator %s (%s)%n", spec.function(),
                    run.runs(), driver.info().version(), driver.info().accelerator(), driver.acceleratorReason());
            System.out.printf("VMM confinement: %s%n", driver.confinement().describe());
            SandboxBenchmark.Result result = new SandboxBenchmark(driver, unconfined, spec,
                    run.body()).run(run.runs(), bench.scratch("bench"));
            print(result);
            output.write(() -> toJson(result));
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
