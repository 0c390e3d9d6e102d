package dev.thaw.bench.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The simulator's table and JSON: one row per combination beside the baseline, and the eviction replay. */
public final class SimReport {
    private SimReport() {
    }

    /** Everything one {@code thaw sim} run found. */
    public record Outcome(String trace, int functions, int minutes, long invocations, ClusterConfig cluster,
            StartCosts costs, double keepAliveSeconds, long seed, String baseline, List<SimResult> policies,
            List<CacheReplay.Point> eviction) {
        public SimResult baselineResult() {
            return policies.stream().filter(r -> r.name().equals(baseline)).findFirst().orElseThrow();
        }
    }

    public static void table(Outcome o, PrintStream out) {
        SimResult base = o.baselineResult();
        out.printf(Locale.ROOT, "%-46s %10s %7s %9s %9s %10s %7s %10s %8s %8s%n", "combination", "cold", "x base",
                "mean ms", "p99 ms", "GiB*s", "x base", "fetched", "byte miss", "rejected");
        for (SimResult r : o.policies()) {
            out.printf(Locale.ROOT, "%-46s %10d %7.3f %9.1f %9.1f %10.0f %7.3f %9.1fG %8.3f %8d%n", r.name(),
                    r.coldStarts(), ratio(r.coldStarts(), base.coldStarts()), r.meanInitMs(), r.p99InitMs(),
                    r.memoryGibS(), ratio(r.memoryGibS(), base.memoryGibS()), r.bytesFetched() / 1073741824.0,
                    r.byteMissRatio(), r.rejected());
        }
        if (!o.eviction().isEmpty()) {
            out.println();
            out.println("eviction replay (each node's snapshot lookups under a combination):");
            out.printf(Locale.ROOT, "%-46s %-12s %10s %9s %10s %9s%n", "lookups of", "policy", "cache MiB",
                    "hit ratio", "byte miss", "x belady");
            for (CacheReplay.Point p : o.eviction()) {
                double belady = o.eviction().stream()
                        .filter(b -> b.policy().contains("belady") && b.cacheBytes() == p.cacheBytes()
                                && b.stream().equals(p.stream()))
                        .mapToDouble(CacheReplay.Point::byteMissRatio).findFirst().orElse(Double.NaN);
                out.printf(Locale.ROOT, "%-46s %-12s %10d %9.3f %10.4f %9.3f%n", p.stream(), p.policy(),
                        p.cacheBytes() >> 20,
                        p.hitRatio(), p.byteMissRatio(), p.byteMissRatio() / belady);
            }
        }
        double events = o.policies().stream().mapToDouble(SimResult::events).sum();
        double seconds = o.policies().stream().mapToDouble(SimResult::seconds).sum();
        double cpu = o.policies().stream().mapToDouble(SimResult::cpuSeconds).sum();
        out.printf(Locale.ROOT, "%nspeed: %.2f M trace events/s wall-clock, %.2f M per CPU second (%d runs, %.0f "
                + "events in %.1f s, %.1f s of CPU)%n", events / seconds / 1e6, events / cpu / 1e6,
                o.policies().size(), events, seconds, cpu);
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    public static void writeJson(Outcome o, Path file) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("trace", o.trace()).put("functions", o.functions()).put("minutes", o.minutes())
                .put("invocations", o.invocations()).put("seed", o.seed());
        root.putObject("cluster").put("nodes", o.cluster().nodes()).put("memory_mib", o.cluster().memoryMib())
                .put("slots", o.cluster().slots()).put("cache_bytes", o.cluster().cacheBytes());
        StartCosts c = o.costs();
        root.putObject("start_costs_ms").put("clone", c.cloneMs()).put("local", c.localMs())
                .put("remote_restore", c.restoreMs()).put("boot", c.bootMs())
                .put("bandwidth_mib_s", c.bandwidthMibPerS()).put("stored_fraction", c.storedFraction());
        root.put("fixed_keep_alive_s", o.keepAliveSeconds());
        root.put("baseline", o.baseline());
        SimResult base = o.baselineResult();
        ArrayNode policies = root.putArray("policies");
        double events = 0;
        double seconds = 0;
        double cpu = 0;
        for (SimResult r : o.policies()) {
            ObjectNode p = policies.addObject();
            p.put("name", r.name()).put("invocations", r.invocations()).put("cold_starts", r.coldStarts());
            ObjectNode tiers = p.putObject("starts_by_tier");
            r.startsByTier().forEach((t, n) -> tiers.put(t.label(), n));
            ObjectNode prewarms = p.putObject("prewarms_by_tier");
            r.prewarmsByTier().forEach((t, n) -> prewarms.put(t.label(), n));
            number(p, "mean_init_ms", r.meanInitMs());
            number(p, "p99_init_ms", r.p99InitMs());
            number(p, "mean_init_all_ms", r.meanInitAllMs());
            number(p, "memory_gib_s", r.memoryGibS());
            p.put("bytes_fetched", r.bytesFetched()).put("prefetched_bytes", r.prefetchedBytes());
            number(p, "byte_miss_ratio", r.byteMissRatio());
            p.put("rejected", r.rejected());
            number(p, "cold_starts_vs_baseline", ratio(r.coldStarts(), base.coldStarts()));
            number(p, "memory_vs_baseline", ratio(r.memoryGibS(), base.memoryGibS()));
            number(p, "events_per_second", r.eventsPerSecond());
            number(p, "events_per_cpu_second", r.eventsPerCpuSecond());
            events += r.events();
            seconds += r.seconds();
            cpu += r.cpuSeconds();
        }
        ArrayNode eviction = root.putArray("eviction");
        for (CacheReplay.Point e : o.eviction()) {
            ObjectNode p = eviction.addObject().put("lookups_of", e.stream()).put("name", e.policy()).put("cache_bytes", e.cacheBytes())
                    .put("hits", e.hits()).put("misses", e.misses());
            number(p, "hit_ratio", e.hitRatio());
            number(p, "byte_miss_ratio", e.byteMissRatio());
        }
        number(root, "events_per_second", seconds > 0 ? events / seconds : Double.NaN);
        number(root, "events_per_cpu_second", cpu > 0 ? events / cpu : Double.NaN);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }
}
