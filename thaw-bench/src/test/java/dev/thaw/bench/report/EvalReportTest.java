package dev.thaw.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {

    @Test
    void writesSummaryReportAndCharts(@TempDir Path dir) throws Exception {
        List<Sample> samples = new ArrayList<>();
        ChartsTest.latencies().forEach((config, values) -> values.forEach(
                v -> samples.add(new Sample(config, "f", config.equals("no-snapshots") ? "boot" : "clone", false, v, 0, 0))));
        List<ConfigurationSummary> summaries = EvalReport.write(dir, samples, "thaw eval", "local run");
        assertThat(summaries).hasSize(5);
        for (String file : List.of(EvalReport.SUMMARY_FILE, EvalReport.REPORT_FILE)) {
            assertThat(Files.size(dir.resolve(file))).isPositive();
        }
        for (String png : List.of(Charts.BOX_PLOT_FILE, Charts.CDF_FILE, Charts.TAIL_FILE)) {
            ChartsTest.assertChart(dir.resolve(png));
        }
    }
}
