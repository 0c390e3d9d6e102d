package dev.thaw.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SoakMonitorTest {
    private static final double MIB = 1 << 20;

    private static ProcessSample gateway(double rssMib) {
        return new ProcessSample("gateway", rssMib * MIB, 50 * MIB, 40, 30, 2, 1, Double.NaN);
    }

    private static ProcessSample node(double shmMib) {
        return new ProcessSample("node-1", 200 * MIB, 60 * MIB, 30, 25, 1, 1, shmMib * MIB);
    }

    @Test
    void printsARowPerProcessAtStartAndAtTheEndThenJudges() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicLong now = new AtomicLong(1_000_000_000L);
        AtomicInteger calls = new AtomicInteger();
        SoakProbe probe = () -> {
            int n = calls.incrementAndGet();
            if (n == 2) {
                throw new IOException("gateway went away");
            }
            return List.of(gateway(100 + n), node(12.5));
        };
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            // An hour's interval: only the immediate first sample runs on the schedule.
            SoakMonitor monitor = new SoakMonitor(probe, Duration.ofHours(1), out, scheduler, now::get,
                    () -> "10 invocations: 4 sent");
            monitor.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (monitor.samples().size() < 2 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
            now.addAndGet(90_000_000_000L);
            // A failed read is reported and counted, then the run goes on.
            SoakReport report = monitor.finish();
            now.addAndGet(30_000_000_000L);
            SoakReport last = monitor.finish();
            assertThat(report.probeFailures()).isEqualTo(1);
            assertThat(last.samples()).isEqualTo(2);
            assertThat(last.seconds()).isEqualTo(120.0);
            assertThatThrownBy(monitor::start).isInstanceOf(IllegalStateException.class);
        } finally {
            scheduler.shutdownNow();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains(SoakMonitor.header());
        assertThat(text).contains(SoakMonitor.row(0, gateway(101)), SoakMonitor.row(0, node(12.5)));
        assertThat(text).contains("soak     1:30  could not read the cluster's figures: java.io.IOException: "
                + "gateway went away");
        assertThat(text).contains(SoakMonitor.row(120, gateway(103)));
        assertThat(text).contains("soak     0:00  10 invocations: 4 sent\n" + SoakMonitor.row(0, gateway(101)));
    }

    @Test
    void rowsShowMibAndDashesForFiguresNotReported() {
        assertThat(SoakMonitor.row(3725, gateway(101.25))).startsWith("soak  1:02:05  gateway   ")
                .contains(" 101.3 ", " 50 ").endsWith(" -");
        assertThat(SoakMonitor.clock(59.6)).isEqualTo("1:00");
    }

    @Test
    void theReportJudgesEachProcessesFiguresAndNamesWhatGrew() {
        List<SoakMonitor.Timed> samples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            samples.add(new SoakMonitor.Timed(i * 30.0, gateway(300)));
            // The node's /dev/shm grows by 4 MiB every sample: files left behind.
            samples.add(new SoakMonitor.Timed(i * 30.0, node(4.0 * i)));
        }
        SoakReport report = SoakReport.of(samples, 0);
        assertThat(report.samples()).isEqualTo(40);
        assertThat(report.growing()).singleElement().satisfies(r -> {
            assertThat(r.process()).isEqualTo("node-1");
            assertThat(r.metric().label()).isEqualTo("shm");
        });
        // The gateway reports no /dev/shm figure, so it gets no row for it.
        assertThat(report.rows()).filteredOn(r -> r.process().equals("gateway")).extracting(r -> r.metric().label())
                .containsExactly("rss", "heap", "fds", "threads", "children", "instances");
        assertThat(report.text()).contains("verdict: GROWTH in node-1 shm").contains("GROWS", "flat");

        List<SoakMonitor.Timed> steady = samples.stream().filter(s -> s.sample().process().equals("gateway")).toList();
        assertThat(SoakReport.of(steady, 2).verdict()).isEqualTo("verdict: no figure grew without bound (2 reads "
                + "failed)\n");
        assertThat(SoakReport.of(steady.subList(0, 3), 0).verdict()).contains("not enough samples");
        assertThat(SoakReport.of(List.of(), 3).verdict()).contains("no figures were read (3 failed reads)");
    }

    @Test
    void intervalsReadAsPeopleWriteThem() {
        assertThat(Intervals.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Intervals.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Intervals.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Intervals.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Intervals.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Intervals.parse("45")).isEqualTo(Duration.ofSeconds(45));
        for (String bad : new String[] {"", "soon", "-5s", "0s", "25h", "5 days"}) {
            assertThatThrownBy(() -> Intervals.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
