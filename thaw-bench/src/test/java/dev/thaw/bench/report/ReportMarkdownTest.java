package dev.thaw.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportMarkdownTest {

    static ConfigurationSummary summary(String name, double mean) {
        return new ConfigurationSummary(name, 100, 2, 50, mean, mean, mean * 2, mean * 3, mean * 4, 0.5, 10,
                new StartCounts(50, 20, 10, 10, 10));
    }

    @Test
    void tableHasThesisNumbersBesideThaws(@TempDir Path dir) throws Exception {
        List<ConfigurationSummary> summaries = List.of(summary("no-snapshots", 5000), summary("local", 150),
                summary("remote-nocache", 600), summary("remote-cache", 400), summary("remote-cache-aware", 300));
        Path file = dir.resolve("report.md");
        ReportMarkdown.write(file, summaries, "thaw eval --all", "2 nodes");
        String md = Files.readString(file);
        assertThat(md).contains("| no-snapshots | 5000 | 5398 | 6698 |", "| local | 150 |  | 197 |",
                "| remote-nocache | 600 |  | 757 |", "| remote-cache | 400 | 2088 |  |",
                "| remote-cache-aware | 300 | 2078 |  |", "trace-driven", "controlled");
        assertThat(md).contains("| remote-cache-aware | 50 | 300 | 300 | 600 | 900 | 1200 |");
        assertThat(md).contains("**0.060** (meets the target ≤ 0.10; thesis 0.38)");
        assertThat(md).contains("remote-cache-aware faster than remote-cache: **yes**");
        assertThat(md).contains("| no-snapshots | 100 | 2 |", Charts.BOX_PLOT_FILE, Charts.CDF_FILE, Charts.TAIL_FILE);
        assertThat(md).contains("thaw eval --all", "2 nodes");
    }

    @Test
    void platformFailuresStandBesideTheFunctionsOwnErrors() {
        ConfigurationSummary s = new ConfigurationSummary("local", 100, 1, 50, 150, 150, 300, 450, 600, 0.5, 10,
                new StartCounts(50, 20, 10, 10, 10), 7, 3, 2);
        String md = ReportMarkdown.render(List.of(s), "cmd", "setup");
        assertThat(md).contains("| Configuration | Invocations | Failures | Function errors | Rejected | Client errors |",
                "| local | 100 | 1 | 7 | 3 | 2 | 50 |");
    }

    @Test
    void missingConfigurationsLeaveGapsNotErrors() {
        String md = ReportMarkdown.render(List.of(summary("remote-cache", 400)), "cmd", "setup");
        assertThat(md).contains("| no-snapshots |  | 5398 | 6698 |", "n/a");
        assertThat(ReportMarkdown.render(List.of(), "cmd", "setup")).contains("| local |  |  | 197 |");
    }

    @Test
    void ratioAboveTargetIsCalledAMiss() {
        String md = ReportMarkdown.render(List.of(summary("no-snapshots", 1000), summary("remote-cache", 300),
                summary("remote-cache-aware", 400)), "cmd", "setup");
        assertThat(md).contains("**0.400** (misses", "faster than remote-cache: **no**");
    }
}
