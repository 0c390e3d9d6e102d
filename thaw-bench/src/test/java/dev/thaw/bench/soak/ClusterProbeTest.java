package dev.thaw.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.node.ProcessGauges;
import dev.thaw.node.ProcessSampler;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.ProcessStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterProbeTest {
    @Test
    void readsTheGatewaysFiguresFromTheMetricsItServes() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProcessGauges.register(registry, () -> new ProcessStats(300L << 20, 1, 2, 3, 2, -1), false);
        Gauge.builder("thaw.gateway.instances", () -> 3).tag("function", "hello").register(registry);
        Gauge.builder("thaw.gateway.instances", () -> 2).tag("function", "json-transform").register(registry);
        System.gc(); // the gauges must not depend on anything but the registry to stay alive

        ProcessSample s = ClusterProbe.fromMetrics("gateway", registry.scrape());
        assertThat(s.rssBytes()).isEqualTo(300L << 20);
        assertThat(s.children()).isEqualTo(2);
        assertThat(s.instances()).isEqualTo(5);
        // From Micrometer's own JVM binders: this test's JVM.
        assertThat(s.heapBytes()).isPositive();
        assertThat(s.openFds()).isPositive();
        assertThat(s.threads()).isPositive();
        assertThat(s.shmBytes()).isNaN();
    }

    @Test
    void readsANodesFiguresFromItsStatus(@TempDir Path shm) throws Exception {
        Files.write(shm.resolve("mem"), new byte[4096]);
        Files.createDirectories(shm.resolve("vm-1"));
        Files.write(shm.resolve("vm-1/console.log"), new byte[100]);
        ProcessStats stats = ProcessSampler.sample(shm);
        assertThat(stats.shmBytes()).isEqualTo(4196);
        assertThat(stats.rssBytes()).isPositive();
        assertThat(stats.openFds()).isPositive();
        assertThat(stats.threads()).isPositive();
        NodeStatus status = new NodeStatus("node-1", "http://127.0.0.1:1/", "remote", 4096, 4096, 8, 8, List.of(),
                null, List.of(), null, Instant.EPOCH, stats);
        ProcessSample s = ClusterProbe.fromStatus("node-1", status);
        assertThat(s.shmBytes()).isEqualTo(4196);
        assertThat(s.instances()).isZero();
        assertThat(s.rssBytes()).isEqualTo(stats.rssBytes());
        ProcessSample unknown = ClusterProbe.fromStatus("node-2", new NodeStatus("node-2", "u", "local", 1, 1, 1, 1,
                List.of(), null, List.of(), null, Instant.EPOCH, new ProcessStats(-1, -1, -1, -1, -1, -1)));
        assertThat(unknown.rssBytes()).isNaN();
        assertThat(unknown.shmBytes()).isNaN();
    }

    @Test
    void prometheusTextSumsMatchingSamplesOnly() {
        String text = """
                # HELP jvm_memory_used_bytes used
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 100.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 50.0
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 7.0
                jvm_memory_used_bytes_total 1.0
                process_files_open_files 12.0
                bad_line{ 3
                """;
        assertThat(PrometheusText.sum(text, "jvm_memory_used_bytes", Map.of("area", "heap"))).isEqualTo(150);
        assertThat(PrometheusText.sum(text, "jvm_memory_used_bytes", Map.of())).isEqualTo(157);
        assertThat(PrometheusText.sum(text, "process_files_open_files", Map.of())).isEqualTo(12);
        assertThat(PrometheusText.sum(text, "absent", Map.of())).isNaN();
        assertThatThrownBy(() -> PrometheusText.sum("x".repeat(PrometheusText.MAX_CHARS + 1), "x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
