package dev.thaw.bench.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes everything {@code thaw eval} reports into one directory: summary, Markdown and charts. */
public final class EvalReport {

    public static final String SUMMARY_FILE = "summary.json";
    public static final String REPORT_FILE = "report.md";

    private EvalReport() {}

    /** Returns the summaries written, in canonical configuration order. */
    public static List<ConfigurationSummary> write(Path directory, List<Sample> samples, String command, String setup) {
        List<ConfigurationSummary> summaries = Summaries.byConfiguration(samples);
        Map<String, List<Double>> latencies = Summaries.coldStartLatencies(samples);
        SummaryJson.write(directory.resolve(SUMMARY_FILE), summaries);
        ReportMarkdown.write(directory.resolve(REPORT_FILE), summaries, command, setup);
        Charts.boxPlot(latencies, "Cold-start initialization latency", "Latency (ms)",
                directory.resolve(Charts.BOX_PLOT_FILE));
        Charts.cdf(latencies, "Cold-start initialization latency, CDF", "Latency (ms)",
                directory.resolve(Charts.CDF_FILE));
        Charts.tailPercentiles(summaries, "Cold-start latency percentiles", directory.resolve(Charts.TAIL_FILE));
        return summaries;
    }
}
