package dev.thaw.bench.soak;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Samples the cluster's processes every interval during a run and prints one table row per process; at the end
 * {@link #finish()} samples once more and judges every series with {@link Trend}.
 */
public final class SoakMonitor {
    /** A sample taken {@code seconds} after the monitor started. */
    public record Timed(double seconds, ProcessSample sample) {
    }

    private final SoakProbe probe;
    private final Duration interval;
    private final PrintStream out;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final java.util.function.Supplier<String> progress;
    private final List<Timed> samples = new ArrayList<>();
    private long start;
    private ScheduledFuture<?> task;
    private int failures;

    public SoakMonitor(SoakProbe probe, Duration interval, PrintStream out, ScheduledExecutorService scheduler,
            LongSupplier nanoTime) {
        this(probe, interval, out, scheduler, nanoTime, () -> "");
    }

    /** @param progress how the run is going, printed above each interval's rows when not empty */
    public SoakMonitor(SoakProbe probe, Duration interval, PrintStream out, ScheduledExecutorService scheduler,
            LongSupplier nanoTime, java.util.function.Supplier<String> progress) {
        this.progress = progress;
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("report interval must be positive, got " + interval);
        }
        this.probe = probe;
        this.interval = interval;
        this.out = out;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
    }

    /** Takes the first sample now, then one every interval. */
    public synchronized void start() {
        if (task != null) {
            throw new IllegalStateException("already started");
        }
        start = nanoTime.getAsLong();
        out.println(header());
        task = scheduler.scheduleAtFixedRate(this::sampleQuietly, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops the schedule, takes a last sample and judges every series. */
    public SoakReport finish() {
        synchronized (this) {
            if (task != null) {
                task.cancel(false);
            }
        }
        sampleQuietly();
        synchronized (this) {
            return SoakReport.of(List.copyOf(samples), failures);
        }
    }

    /** Every sample so far. */
    public synchronized List<Timed> samples() {
        return List.copyOf(samples);
    }

    private void sampleQuietly() {
        double seconds = (nanoTime.getAsLong() - start) / 1e9;
        List<ProcessSample> taken;
        try {
            taken = probe.sample();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            synchronized (this) {
                failures++;
            }
            out.printf(Locale.ROOT, "soak %8s  could not read the cluster's figures: %s%n", clock(seconds), e);
            return;
        }
        synchronized (this) {
            String run = progress.get();
            if (!run.isEmpty()) {
                out.printf(Locale.ROOT, "soak %8s  %s%n", clock(seconds), run);
            }
            for (ProcessSample s : taken) {
                samples.add(new Timed(seconds, s));
                out.println(row(seconds, s));
            }
        }
    }

    static String header() {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "soak %8s  %-10s", "elapsed", "process"));
        for (ProcessSample.Metric m : ProcessSample.METRICS) {
            line.append(String.format(Locale.ROOT, " %10s", m.label() + (m.unit().isEmpty() ? "" : " " + m.unit())));
        }
        return line.toString();
    }

    static String row(double seconds, ProcessSample s) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "soak %8s  %-10s", clock(seconds),
                s.process()));
        for (ProcessSample.Metric m : ProcessSample.METRICS) {
            line.append(String.format(Locale.ROOT, " %10s", number(m.of(s))));
        }
        return line.toString();
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e12 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    static String clock(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s / 3600 > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
