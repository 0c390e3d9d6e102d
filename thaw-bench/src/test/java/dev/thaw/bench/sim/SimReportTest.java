package dev.thaw.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimReportTest {
    @TempDir
    Path dir;

    @Test
    void jsonHoldsTheBaselineAndEveryCombinationWithTheAgreedFields() throws Exception {
        int[] counts = new int[30];
        for (int m = 0; m < 30; m += 3) {
            counts[m] = 2;
        }
        SimTrace trace = new SimTrace("t", List.of(new SimFunction("f", 128, 100, 128L << 20, 20L << 20)),
                new int[][] {counts}, 30);
        ClusterConfig cluster = new ClusterConfig(2, 4096, 8, 1L << 30);
        Simulator simulator = new Simulator(trace, cluster, StartCosts.MEASURED, 1, 60_000);
        Simulator.AccessLog log = new Simulator.AccessLog(cluster);
        SimResult today = simulator.run(Combination.TODAY, Simulator.Progress.NONE, log);
        SimResult chosen = simulator.run(Combination.CHOSEN, Simulator.Progress.NONE);
        List<CacheReplay.Point> replay = CacheReplay.run(trace, StartCosts.MEASURED, log, Combination.TODAY.name(),
                List.of("lru", "belady"), List.of(1L << 30));
        SimReport.Outcome outcome = new SimReport.Outcome("t", 1, 30, trace.invocations(), cluster,
                StartCosts.MEASURED, 60, 1, Combination.TODAY.name(), List.of(today, chosen), replay);
        Path file = dir.resolve("sim.json");
        SimReport.writeJson(outcome, file);
        JsonNode root = Json.mapper().readTree(file.toFile());
        assertThat(root.path("baseline").asText()).isEqualTo("fixed+lru+snapshot-aware+none");
        assertThat(root.path("policies")).hasSize(2);
        for (JsonNode p : root.path("policies")) {
            for (String field : List.of("name", "cold_starts", "starts_by_tier", "mean_init_ms", "p99_init_ms",
                    "memory_gib_s", "bytes_fetched", "byte_miss_ratio")) {
                assertThat(p.has(field)).as(field).isTrue();
            }
            assertThat(p.path("starts_by_tier").path("warm").asLong()
                    + p.path("cold_starts").asLong()).isEqualTo(20);
        }
        assertThat(root.path("policies").get(0).path("cold_starts").asLong()).isEqualTo(today.coldStarts());
        assertThat(root.path("eviction").get(1).path("name").asText()).contains("belady");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        SimReport.table(outcome, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("fixed+lru+snapshot-aware+none", "belady",
                "M trace events/s");
    }
}
