package dev.thaw.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Renders the evaluation as Markdown laid out after the thesis' chapter 6. */
public final class ReportMarkdown {

    /** Goal for remote-cache-aware mean ÷ no-snapshots mean. */
    public static final double TARGET_RATIO = 0.10;

    private ReportMarkdown() {}

    public static void write(Path file, List<ConfigurationSummary> summaries, String command, String setup) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, render(summaries, command, setup));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String render(List<ConfigurationSummary> summaries, String command, String setup) {
        StringBuilder md = new StringBuilder();
        md.append("# Thaw evaluation: cold-start initialization latency\n\n");
        md.append("Command:\n\n```\n").append(command).append("\n```\n\n");
        md.append("Setup: ").append(setup).append("\n\n");
        md.append("Latency figures are over successful cold starts (clone, local, remote, boot); warm starts ")
                .append("and failures are excluded. Percentiles are nearest-rank.\n\n");

        md.append("## Mean cold-start latency (cf. thesis Table 6.2)\n\n");
        md.append("Thesis figures use the stargz snapshotter; \"trace-driven\" and \"controlled\" are its two ")
                .append("experiments. Empty cells: the thesis reports no number.\n\n");
        md.append("| Configuration | Thaw mean (ms) | Thesis, trace-driven (ms) | Thesis, controlled (ms) |\n");
        md.append("|---|---:|---:|---:|\n");
        for (String name : names(summaries)) {
            Optional<ConfigurationSummary> s = find(summaries, name);
            Optional<ThesisReference> thesis = ThesisReference.of(name);
            md.append("| ").append(name)
                    .append(" | ").append(s.map(x -> ms(x.meanMs())).orElse(""))
                    .append(" | ").append(thesis.map(t -> ms(t.traceDrivenMs())).orElse(""))
                    .append(" | ").append(thesis.map(t -> ms(t.controlledMs())).orElse(""))
                    .append(" |\n");
        }

        md.append("\n## Percentiles\n\n");
        md.append("| Configuration | Cold starts | Mean (ms) | P50 (ms) | P90 (ms) | P95 (ms) | P99 (ms) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (ConfigurationSummary s : summaries) {
            md.append("| ").append(s.name()).append(" | ").append(s.coldStarts())
                    .append(" | ").append(ms(s.meanMs())).append(" | ").append(ms(s.p50Ms()))
                    .append(" | ").append(ms(s.p90Ms())).append(" | ").append(ms(s.p95Ms()))
                    .append(" | ").append(ms(s.p99Ms())).append(" |\n");
        }

        md.append("\n## Findings\n\n");
        Optional<ConfigurationSummary> none = find(summaries, Configurations.NO_SNAPSHOTS);
        Optional<ConfigurationSummary> cache = find(summaries, Configurations.REMOTE_CACHE);
        Optional<ConfigurationSummary> aware = find(summaries, Configurations.REMOTE_CACHE_AWARE);
        double ratio = aware.isPresent() && none.isPresent() ? aware.get().meanMs() / none.get().meanMs() : Double.NaN;
        md.append("- remote-cache-aware mean ÷ no-snapshots mean: ");
        if (Double.isFinite(ratio)) {
            md.append(String.format(Locale.ROOT, "**%.3f**", ratio))
                    .append(ratio <= TARGET_RATIO ? " (meets" : " (misses")
                    .append(String.format(Locale.ROOT, " the target ≤ %.2f; thesis %.2f)%n", TARGET_RATIO,
                            ThesisReference.AWARE_TO_NO_SNAPSHOTS));
        } else {
            md.append("n/a (needs both configurations with cold starts)\n");
        }
        md.append("- remote-cache-aware faster than remote-cache: ");
        if (aware.isPresent() && cache.isPresent()
                && Double.isFinite(aware.get().meanMs()) && Double.isFinite(cache.get().meanMs())) {
            md.append(aware.get().meanMs() < cache.get().meanMs() ? "**yes**" : "**no**")
                    .append(" (").append(ms(aware.get().meanMs())).append(" ms vs ")
                    .append(ms(cache.get().meanMs())).append(" ms; thesis 2078 vs 2088 ms)\n");
        } else {
            md.append("n/a (needs both configurations with cold starts)\n");
        }

        md.append("\n## Starts, cache and failures\n\n");
        md.append("Cache hit rate: (clone + local) ÷ (clone + local + remote); boots had no snapshot anywhere. "
                + "Failures are the platform's; function errors (the handler's own), rejections (full queue) and "
                + "client errors are beside them.\n\n");
        md.append("| Configuration | Invocations | Failures | Function errors | Rejected | Client errors | Warm | Clone "
                + "| Local | Remote | Boot | Cache hit rate | Bytes fetched |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ConfigurationSummary s : summaries) {
            StartCounts c = s.starts();
            md.append("| ").append(s.name()).append(" | ").append(s.invocations()).append(" | ").append(s.failures())
                    .append(" | ").append(s.functionErrors()).append(" | ").append(s.rejected()).append(" | ")
                    .append(s.clientErrors()).append(" | ").append(c.warm()).append(" | ").append(c.clones()).append(" | ").append(c.local())
                    .append(" | ").append(c.remote()).append(" | ").append(c.boots())
                    .append(" | ").append(percent(s.cacheHitRate())).append(" | ").append(s.bytesFetched())
                    .append(" |\n");
        }

        md.append("\n## Charts\n\n");
        md.append("- [Cold-start latency, box plot](").append(Charts.BOX_PLOT_FILE).append(")\n");
        md.append("- [Cold-start latency, CDF](").append(Charts.CDF_FILE).append(")\n");
        md.append("- [Tail percentiles](").append(Charts.TAIL_FILE).append(")\n\n");
        md.append("![Box plot](").append(Charts.BOX_PLOT_FILE).append(")\n\n");
        md.append("![CDF](").append(Charts.CDF_FILE).append(")\n\n");
        md.append("![Tail percentiles](").append(Charts.TAIL_FILE).append(")\n");
        return md.toString();
    }

    /** The thesis' configurations always get a row, so missing runs show as gaps; others follow. */
    private static List<String> names(List<ConfigurationSummary> summaries) {
        Set<String> all = new LinkedHashSet<>(Configurations.ALL);
        summaries.forEach(s -> all.add(s.name()));
        return Configurations.order(all);
    }

    private static Optional<ConfigurationSummary> find(List<ConfigurationSummary> summaries, String name) {
        return summaries.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    static String ms(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return value == null ? "" : "–";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String percent(double rate) {
        return Double.isFinite(rate) ? String.format(Locale.ROOT, "%.1f %%", 100 * rate) : "–";
    }
}
