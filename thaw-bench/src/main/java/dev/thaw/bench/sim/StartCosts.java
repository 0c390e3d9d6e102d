package dev.thaw.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * What each start tier costs, to the instance being ready. A remote start costs the restore plus its fetch at the
 * measured bandwidth; a node-local restore costs {@code localMs}; a clone takes a VMM that already maps the
 * snapshot. Defaults are the p50 figures of {@code thaw bench snapshot} for examples/hello in docs/benchmarks.md.
 */
public record StartCosts(double cloneMs, double localMs, double restoreMs, double bootMs, double bandwidthMibPerS,
        double storedFraction) {
    /** examples/hello, TCG: local 168.2, remote 537.8 of which fetch 352.6 (41.1 MiB), boot 4240.1; clone ~180. */
    public static final StartCosts MEASURED = new StartCosts(180, 168.2, 537.8 - 352.6, 4240.1,
            41.1 / 0.3526, 0.161);

    public StartCosts {
        for (double v : new double[] {cloneMs, localMs, restoreMs, bootMs}) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("start costs must be finite and >= 0 ms");
            }
        }
        if (!(bandwidthMibPerS > 0) || !Double.isFinite(bandwidthMibPerS)) {
            throw new IllegalArgumentException("bandwidth must be > 0 MiB/s");
        }
        if (!(storedFraction > 0) || storedFraction > 1) {
            throw new IllegalArgumentException("stored fraction must be in (0, 1]");
        }
    }

    public double remoteMs(long fetchBytes) {
        return restoreMs + fetchBytes / 1048576.0 / bandwidthMibPerS * 1000;
    }

    /** The p50 figures of a {@code thaw bench snapshot --json} file; clone keeps the default. */
    public static StartCosts fromSnapshotBench(Path json) {
        try {
            JsonNode root = Json.mapper().readTree(json.toFile());
            double boot = p50(root, "boot_ms", json);
            double local = p50(root, "local_ms", json);
            double remote = p50(root, "remote_ms", json);
            double fetch = p50(root, "fetch_ms", json);
            double fetched = root.path("fetched_bytes").asDouble(Double.NaN);
            double stored = root.path("stored_bytes").asDouble(Double.NaN);
            double raw = root.path("raw_bytes").asDouble(Double.NaN);
            if (!(fetched > 0) || !(stored > 0) || !(raw > 0) || !(fetch > 0)) {
                throw new IllegalArgumentException(json + ": needs fetched_bytes, stored_bytes, raw_bytes > 0 and "
                        + "fetch_ms.p50 > 0 (the output of thaw bench snapshot --json)");
            }
            return new StartCosts(MEASURED.cloneMs(), local, Math.max(0, remote - fetch), boot,
                    fetched / 1048576.0 / (fetch / 1000), Math.min(1, stored / raw));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json + ": " + e.getMessage(), e);
        }
    }

    private static double p50(JsonNode root, String field, Path json) {
        JsonNode value = root.path(field).path("p50");
        if (!value.isNumber()) {
            throw new IllegalArgumentException(json + ": no number at " + field + ".p50");
        }
        return value.asDouble();
    }

    public StartCosts with(Double clone, Double local, Double restore, Double boot, Double bandwidth) {
        return new StartCosts(clone == null ? cloneMs : clone, local == null ? localMs : local,
                restore == null ? restoreMs : restore, boot == null ? bootMs : boot,
                bandwidth == null ? bandwidthMibPerS : bandwidth, storedFraction);
    }
}
