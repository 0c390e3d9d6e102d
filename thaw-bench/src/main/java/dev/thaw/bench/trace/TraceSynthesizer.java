package dev.thaw.bench.trace;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a synthetic trace in the Azure Functions 2019 layout ({@code invocations.csv}, {@code durations.csv},
 * {@code memory.csv}) whose functions follow the published characterization of that trace (Shahrad et al.,
 * "Serverless in the Wild", USENIX ATC 2020); docs/policies.md lists the figures used.
 */
public final class TraceSynthesizer {
    /** Share of functions with a timer trigger (the paper: 15.6 % of functions). */
    static final double TIMER_SHARE = 0.156;
    /** Periods (minutes) of timer-triggered functions: the common cron schedules. */
    static final int[] TIMER_PERIODS = {1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440};
    /** Other triggers and their shares of the non-timer functions (HTTP 55 %, queue 15.2 %, ... in the paper). */
    static final String[] TRIGGERS = {"http", "queue", "orchestration", "storage", "event", "others"};
    static final double[] TRIGGER_WEIGHTS = {55.0, 15.2, 6.9, 2.8, 2.2, 2.2};
    /** Highest mean rate drawn, per minute; functions above it are warm under every policy. */
    static final double MAX_PER_MINUTE = 2000;
    /** Execution time: log-normal in seconds, mu -0.38, sigma 2.36 (the paper's fit). */
    static final double DURATION_MU = -0.38;
    static final double DURATION_SIGMA = 2.36;
    /** Allocated memory: Burr XII in MB, c 11.652, k 0.221, lambda 107.083 (the paper's fit). */
    static final double MEMORY_C = 11.652;
    static final double MEMORY_K = 0.221;
    static final double MEMORY_LAMBDA = 107.083;

    /** One synthesized function: its mean rate, arrival process and sizes. */
    record Function(String owner, String app, String name, String trigger, double perDay, int periodMinutes,
            int phaseMinutes, double dutyCycle, double meanOnMinutes, double durationMs, double memoryMb) {
    }

    private TraceSynthesizer() {
    }

    /** Writes the three files into {@code out}; the same arguments always give the same bytes. */
    public static Summary write(int functions, int minutes, long seed, Path out) {
        if (functions < 1 || functions > 1_000_000) {
            throw new IllegalArgumentException("--functions must be 1..1000000, got " + functions);
        }
        if (minutes < 1 || minutes > 14 * 1440) {
            throw new IllegalArgumentException("--minutes must be 1.." + 14 * 1440 + ", got " + minutes);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Function> drawn = new ArrayList<>();
        for (int i = 0; i < functions; i++) {
            drawn.add(draw(i, random));
        }
        try {
            Files.createDirectories(out);
            long invocations = writeInvocations(drawn, minutes, random, out.resolve("invocations.csv"));
            writeDurations(drawn, out.resolve("durations.csv"));
            writeMemory(drawn, out.resolve("memory.csv"));
            long timers = drawn.stream().filter(f -> f.trigger().equals("timer")).count();
            return new Summary(functions, minutes, invocations, (int) timers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace into " + out + ": " + e.getMessage(), e);
        }
    }

    /** What was written. */
    public record Summary(int functions, int minutes, long invocations, int timerFunctions) {
    }

    static Function draw(int index, SplittableRandom random) {
        String owner = String.format(Locale.ROOT, "owner%05d", index);
        String app = String.format(Locale.ROOT, "app%05d", index);
        String name = String.format(Locale.ROOT, "fn%05d", index);
        double durationMs = Math.clamp(Math.exp(DURATION_MU + DURATION_SIGMA * random.nextGaussian()) * 1000, 1,
                600_000);
        double u = random.nextDouble();
        double memoryMb = Math.clamp(MEMORY_LAMBDA * Math.pow(Math.pow(1 - u, -1 / MEMORY_K) - 1, 1 / MEMORY_C),
                16, 1536);
        if (random.nextDouble() < TIMER_SHARE) {
            int period = TIMER_PERIODS[random.nextInt(TIMER_PERIODS.length)];
            return new Function(owner, app, name, "timer", 1440.0 / period, period, random.nextInt(period), 1, 0,
                    durationMs, memoryMb);
        }
        String trigger = TRIGGERS[weighted(TRIGGER_WEIGHTS, random)];
        // Application rates (Fig. 5): 45 % at most once an hour, 81 % at most once a minute, the rest above;
        // log-uniform within each band.
        double band = random.nextDouble();
        double perDay = band < 0.45 ? logUniform(0.5, 24, random)
                : band < 0.81 ? logUniform(24, 1440, random)
                : logUniform(1440, MAX_PER_MINUTE * 1440, random);
        // Burstiness: on/off modulation. A duty cycle of 1 is a plain Poisson process; lower ones pack the same
        // invocations into bursts (inter-arrival CV above 1, as for most non-timer functions in Fig. 6).
        double duty = random.nextDouble() < 0.3 ? 1 : 0.05 + 0.6 * random.nextDouble();
        double meanOn = 5 + 55 * random.nextDouble();
        return new Function(owner, app, name, trigger, perDay, 0, 0, duty, meanOn, durationMs, memoryMb);
    }

    private static int weighted(double[] weights, SplittableRandom random) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double pick = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static double logUniform(double lo, double hi, SplittableRandom random) {
        return Math.exp(Math.log(lo) + random.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    private static long writeInvocations(List<Function> functions, int minutes, SplittableRandom random, Path file)
            throws IOException {
        long total = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder header = new StringBuilder("HashOwner,HashApp,HashFunction,Trigger");
            for (int m = 1; m <= minutes; m++) {
                header.append(',').append(m);
            }
            w.write(header.append('\n').toString());
            StringBuilder row = new StringBuilder();
            for (Function f : functions) {
                row.setLength(0);
                row.append(f.owner()).append(',').append(f.app()).append(',').append(f.name()).append(',')
                        .append(f.trigger());
                int[] counts = counts(f, minutes, random);
                for (int count : counts) {
                    row.append(',').append(count);
                    total += count;
                }
                w.write(row.append('\n').toString());
            }
        }
        return total;
    }

    /** Invocations per minute: a timer fires once per period; others follow an on/off modulated Poisson process. */
    static int[] counts(Function f, int minutes, SplittableRandom random) {
        int[] counts = new int[minutes];
        if (f.periodMinutes() > 0) {
            for (int m = f.phaseMinutes(); m < minutes; m += f.periodMinutes()) {
                counts[m] = 1;
            }
            return counts;
        }
        double perMinute = f.perDay() / 1440;
        boolean on = random.nextDouble() < f.dutyCycle();
        double meanOff = f.dutyCycle() >= 1 ? Double.POSITIVE_INFINITY
                : f.meanOnMinutes() * (1 - f.dutyCycle()) / f.dutyCycle();
        for (int m = 0; m < minutes; m++) {
            if (f.dutyCycle() < 1 && random.nextDouble() < 1 / (on ? f.meanOnMinutes() : meanOff)) {
                on = !on;
            }
            if (!on && f.dutyCycle() < 1) {
                continue;
            }
            // A gentle diurnal swing (the paper's Fig. 4 shows daily peaks) around the function's mean.
            double diurnal = 1 + 0.4 * Math.sin(2 * Math.PI * m / 1440.0);
            counts[m] = poisson(perMinute / Math.min(1, f.dutyCycle()) * diurnal, random);
        }
        return counts;
    }

    static int poisson(double mean, SplittableRandom random) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    private static void writeDurations(List<Function> functions, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,"
                    + "percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,"
                    + "percentile_Average_99,percentile_Average_100\n");
            for (Function f : functions) {
                double d = f.durationMs();
                w.write(String.format(Locale.ROOT, "%s,%s,%s,%.0f,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f%n",
                        f.owner(), f.app(), f.name(), Math.ceil(d), Math.max(1, Math.round(f.perDay())),
                        Math.ceil(d * 0.5), Math.ceil(d * 2), Math.ceil(d * 0.5), Math.ceil(d * 0.55),
                        Math.ceil(d * 0.8), Math.ceil(d), Math.ceil(d * 1.2), Math.ceil(d * 1.9), Math.ceil(d * 2)));
            }
        }
    }

    private static void writeMemory(List<Function> functions, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,"
                    + "AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,"
                    + "AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,"
                    + "AverageAllocatedMb_pct100\n");
            for (Function f : functions) {
                double mb = f.memoryMb();
                w.write(String.format(Locale.ROOT, "%s,%s,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f%n", f.owner(),
                        f.app(), 100, Math.ceil(mb), Math.ceil(mb * 0.8), Math.ceil(mb * 0.85), Math.ceil(mb * 0.95),
                        Math.ceil(mb), Math.ceil(mb * 1.05), Math.ceil(mb * 1.15), Math.ceil(mb * 1.2),
                        Math.ceil(mb * 1.25)));
            }
        }
    }
}
