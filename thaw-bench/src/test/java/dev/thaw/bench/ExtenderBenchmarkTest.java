package dev.thaw.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExtenderBenchmarkTest {
    @Test
    void smallClusterRunsAndReportsSaneFigures() {
        ExtenderBenchmark.Result result = ExtenderBenchmark.run(50, 500, 50, 7);
        assertThat(result.nodes()).isEqualTo(50);
        assertThat(result.cachedEntries()).isEqualTo(50L * ExtenderBenchmark.REVISIONS_PER_NODE);
        assertThat(result.cacheViewBytes()).isGreaterThan(result.cachedEntries() * 40);
        assertThat(result.prioritizeMs().count()).isEqualTo(50);
        assertThat(result.prioritizeMs().p50()).isPositive().isLessThanOrEqualTo(result.prioritizeMs().max());
        assertThat(result.filterMs().count()).isEqualTo(50);
        assertThat(result.jsonMs().p99()).isPositive();
    }
}
