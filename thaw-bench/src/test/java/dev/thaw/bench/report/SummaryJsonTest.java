package dev.thaw.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryJsonTest {

    @Test
    void writesSnakeCaseKeysAndValues(@TempDir Path dir) throws Exception {
        ConfigurationSummary s = new ConfigurationSummary("remote-cache", 10, 1, 6, 120.5, 100, 180, 190, 199, 0.75,
                4096, new StartCounts(3, 2, 1, 1, 2));
        ConfigurationSummary none = new ConfigurationSummary("no-snapshots", 0, 0, 0, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, StartCounts.NONE);
        Path file = dir.resolve("out/summary.json");
        SummaryJson.write(file, List.of(s, none), Instant.parse("2025-01-31T12:00:00Z"));

        JsonNode root = Json.mapper().readTree(file.toFile());
        assertThat(root.get("generated_at").asText()).isEqualTo("2025-01-31T12:00:00Z");
        JsonNode first = root.get("configurations").get(0);
        assertThat(iterable(first.fieldNames())).containsExactly("name", "invocations", "failures", "function_errors",
                "rejected", "client_errors", "cold_starts",
                "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "cache_hit_rate", "bytes_fetched", "starts");
        assertThat(first.get("name").asText()).isEqualTo("remote-cache");
        assertThat(first.get("invocations").asLong()).isEqualTo(10);
        assertThat(first.get("failures").asLong()).isEqualTo(1);
        assertThat(first.get("cold_starts").asLong()).isEqualTo(6);
        assertThat(first.get("mean_ms").asDouble()).isEqualTo(120.5);
        assertThat(first.get("p99_ms").asDouble()).isEqualTo(199.0);
        assertThat(first.get("cache_hit_rate").asDouble()).isEqualTo(0.75);
        assertThat(first.get("bytes_fetched").asLong()).isEqualTo(4096);
        assertThat(first.get("starts").get("clone").asLong()).isEqualTo(2);
        assertThat(first.get("starts").get("boot").asLong()).isEqualTo(2);
        JsonNode second = root.get("configurations").get(1);
        assertThat(second.get("mean_ms").isNull()).isTrue();
        assertThat(second.get("cache_hit_rate").isNull()).isTrue();
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
