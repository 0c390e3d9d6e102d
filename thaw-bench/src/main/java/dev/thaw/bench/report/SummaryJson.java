package dev.thaw.bench.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Writes summaries as JSON with snake_case keys. The tree is built by hand rather than by record
 * mapping so that the keys stay fixed for scripts even if the record changes, and so that
 * undefined figures ({@code NaN}) become {@code null} instead of invalid JSON.
 */
public final class SummaryJson {

    private SummaryJson() {}

    public static void write(Path file, List<ConfigurationSummary> summaries) {
        write(file, summaries, Instant.now());
    }

    public static void write(Path file, List<ConfigurationSummary> summaries, Instant generatedAt) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), tree(summaries, generatedAt));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static ObjectNode tree(List<ConfigurationSummary> summaries, Instant generatedAt) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("generated_at", generatedAt.toString());
        ArrayNode configurations = root.putArray("configurations");
        for (ConfigurationSummary s : summaries) {
            ObjectNode node = configurations.addObject();
            node.put("name", s.name());
            node.put("invocations", s.invocations());
            node.put("failures", s.failures());
            node.put("function_errors", s.functionErrors());
            node.put("rejected", s.rejected());
            node.put("client_errors", s.clientErrors());
            node.put("cold_starts", s.coldStarts());
            number(node, "mean_ms", s.meanMs());
            number(node, "p50_ms", s.p50Ms());
            number(node, "p90_ms", s.p90Ms());
            number(node, "p95_ms", s.p95Ms());
            number(node, "p99_ms", s.p99Ms());
            number(node, "cache_hit_rate", s.cacheHitRate());
            node.put("bytes_fetched", s.bytesFetched());
            ObjectNode starts = node.putObject("starts");
            s.starts().byKind().forEach(starts::put);
        }
        return root;
    }

    private static void number(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }
}
