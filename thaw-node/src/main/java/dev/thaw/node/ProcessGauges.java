package dev.thaw.node;

import dev.thaw.wire.v1.node.ProcessStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A Thaw process's footprint as Prometheus gauges: Micrometer's JVM memory, thread and file descriptor metrics,
 * plus resident memory, child processes and /dev/shm bytes ({@code thaw_process_*}), so long runs can be judged
 * for leaks.
 */
public final class ProcessGauges {
    /** One scrape reads every gauge; they share one sample. */
    private static final long SAMPLE_NANOS = 500_000_000L;

    private ProcessGauges() {
    }

    /** @param shm whether the process has a /dev/shm run directory to report */
    public static void register(MeterRegistry registry, Supplier<ProcessStats> stats, boolean shm) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        Sampler sampler = new Sampler(stats);
        gauge(registry, "thaw.process.rss", "bytes", "resident memory of this process", sampler,
                ProcessStats::rssBytes);
        gauge(registry, "thaw.process.children", null, "live child processes (QEMU on a node)", sampler,
                ProcessStats::childProcesses);
        if (shm) {
            gauge(registry, "thaw.process.shm", "bytes", "bytes of files in this process's /dev/shm run directory",
                    sampler, ProcessStats::shmBytes);
        }
    }

    private static void gauge(MeterRegistry registry, String name, String unit, String description, Sampler sampler,
            ToDoubleFunction<ProcessStats> value) {
        // Micrometer holds a gauge's object weakly unless told otherwise; the sampler lives nowhere else.
        Gauge.builder(name, sampler, s -> value.applyAsDouble(s.get())).baseUnit(unit).description(description)
                .strongReference(true).register(registry);
    }

    private static final class Sampler {
        private final Supplier<ProcessStats> source;
        private ProcessStats last;
        private long takenAt;

        Sampler(Supplier<ProcessStats> source) {
            this.source = source;
        }

        synchronized ProcessStats get() {
            long now = System.nanoTime();
            if (last == null || now - takenAt > SAMPLE_NANOS) {
                last = source.get();
                takenAt = now;
            }
            return last;
        }
    }
}
