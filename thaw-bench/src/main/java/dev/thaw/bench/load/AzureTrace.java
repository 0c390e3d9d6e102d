package dev.thaw.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The Azure Functions trace in the layout the In-Vitro loader reads: {@code invocations.csv} with one count
 * column per minute, plus optional {@code durations.csv} and {@code memory.csv}. Each trace function is played
 * by the deployed function nearest to it in memory and duration.
 */
public final class AzureTrace {
    static final String INVOCATIONS = "invocations.csv";
    static final String DURATIONS = "durations.csv";
    static final String MEMORY = "memory.csv";

    private AzureTrace() {
    }

    public static Workload read(Path dir, List<DeployedFunction> functions, InterArrival mode, long seed,
            int maxMinutes) {
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("no deployed functions to play the trace with");
        }
        Path invocations = dir.resolve(INVOCATIONS);
        if (!Files.isRegularFile(invocations)) {
            throw new IllegalArgumentException("no " + INVOCATIONS + " in " + dir);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Arrival> arrivals = new ArrayList<>();
        List<TracedFunction> trace = functions(dir, maxMinutes, MAX_COUNT_PER_MINUTE);
        int traced = 0;
        int minutes = 0;
        for (TracedFunction f : trace) {
            minutes = f.counts().length;
            if (f.invocations() == 0) {
                continue;
            }
            String function = nearest(functions, f.memoryMib(), f.durationMs()).name();
            traced++;
            for (int m = 0; m < f.counts().length; m++) {
                for (double offset : mode.offsets(f.counts()[m], 60, random)) {
                    arrivals.add(new Arrival(m * 60 + offset, function));
                }
            }
        }
        return new Workload(arrivals, minutes * 60.0, "Azure trace " + dir + ": " + traced
                + " functions on " + functions.size() + " deployed, " + minutes + " min, " + mode);
    }

    /**
     * One function of the trace: its owner/app/function key, invocations per minute, and its memory and average
     * duration where the trace gives them (null otherwise).
     */
    public record TracedFunction(String key, String trigger, int[] counts, Double memoryMib, Double durationMs) {
        public long invocations() {
            long total = 0;
            for (int count : counts) {
                total += count;
            }
            return total;
        }
    }

    /**
     * Every function row of the trace in {@code dir}, in file order, cut to {@code maxMinutes} when that is positive.
     * A count above {@code maxPerMinute}, a missing column or a malformed count is an error naming file, line and
     * column.
     */
    public static List<TracedFunction> functions(Path dir, int maxMinutes, int maxPerMinute) {
        Path invocations = dir.resolve(INVOCATIONS);
        if (!Files.isRegularFile(invocations)) {
            throw new IllegalArgumentException("no " + INVOCATIONS + " in " + dir);
        }
        Map<String, Double> durations = sizes(dir.resolve(DURATIONS), "Average", "percentile_Average_50");
        Map<String, Double> memory = sizes(dir.resolve(MEMORY), "AverageAllocatedMb", "AverageAllocatedMb_pct50");
        List<Integer> minuteColumns = minuteColumns(Csv.header(invocations), maxMinutes);
        if (minuteColumns.isEmpty()) {
            throw Csv.error(invocations, 1, "no minute columns (1, 2, ...) in the header");
        }
        List<TracedFunction> functions = new ArrayList<>();
        Csv.read(invocations, row -> {
            String key = key(row, true);
            int[] counts = new int[minuteColumns.size()];
            for (int m = 0; m < counts.length; m++) {
                counts[m] = count(row, minuteColumns.get(m), maxPerMinute);
            }
            // Either file may be per function or, like the public memory trace, per app.
            String app = key(row, false);
            functions.add(new TracedFunction(key, row.has("Trigger") ? row.text("Trigger") : "", counts,
                    memory.getOrDefault(key, memory.get(app)), durations.getOrDefault(key, durations.get(app))));
        });
        return functions;
    }

    /** Column indexes of the minute counts, headers "1".."N", in minute order, at most {@code maxMinutes}. */
    private static List<Integer> minuteColumns(List<String> header, int maxMinutes) {
        List<Map.Entry<Integer, Integer>> minutes = new ArrayList<>();
        for (int index = 0; index < header.size(); index++) {
            String name = header.get(index).strip();
            if (name.matches("[0-9]{1,9}") && Integer.parseInt(name) > 0) {
                minutes.add(Map.entry(Integer.parseInt(name), index));
            }
        }
        minutes.sort(Map.Entry.comparingByKey());
        List<Integer> indexes = minutes.stream().map(Map.Entry::getValue).toList();
        return maxMinutes > 0 && indexes.size() > maxMinutes ? indexes.subList(0, maxMinutes) : indexes;
    }

    /** The most invocations one function may have in one minute of a trace. */
    public static final int MAX_COUNT_PER_MINUTE = 10_000_000;

    private static int count(Csv.Row row, int column, int maxPerMinute) {
        if (column >= row.fields().size()) {
            throw row.error("missing column " + (column + 1) + " (the row has " + row.fields().size() + " fields)");
        }
        String text = row.fields().get(column).strip();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            // Some exports write counts as 3.0.
            double value = Double.parseDouble(text);
            if (value < 0 || value != Math.rint(value)) {
                throw new NumberFormatException();
            }
            if (value > maxPerMinute) {
                // Each invocation is planned in memory before the run starts.
                throw row.error("invocation count " + text + " in column " + (column + 1) + " is above the limit of "
                        + maxPerMinute + " per minute");
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw row.error("invocation count must be a whole number >= 0, got '" + text + "' in column "
                    + (column + 1));
        }
    }

    /** Owner/app/function, or owner/app only when the file has no function column (memory is per app). */
    private static String key(Csv.Row row, boolean withFunction) {
        if (!row.has("HashFunction") && withFunction) {
            throw row.error("no HashFunction column");
        }
        String owner = row.has("HashOwner") ? row.text("HashOwner") : "";
        String app = row.has("HashApp") ? row.text("HashApp") : "";
        return withFunction && row.has("HashFunction") ? owner + "/" + app + "/" + row.text("HashFunction")
                : owner + "/" + app;
    }

    /** A per-function (or per-app) size from {@code file}, by the first of the columns it has; empty if no file. */
    private static Map<String, Double> sizes(Path file, String column, String fallback) {
        Map<String, Double> sizes = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return sizes;
        }
        Csv.read(file, row -> {
            String name = row.has(column) ? column : fallback;
            if (!row.has(name)) {
                throw row.error("needs a " + column + " or " + fallback + " column");
            }
            boolean perFunction = row.has("HashFunction");
            sizes.put(key(row, perFunction), row.number(name));
        });
        return sizes;
    }

    /** The deployed function closest on a log scale: twice the memory counts as far as twice the duration. */
    static DeployedFunction nearest(List<DeployedFunction> functions, Double memoryMib, Double durationMs) {
        return functions.stream().min(Comparator.comparingDouble(f -> distance(memoryMib, f.memoryMib())
                + distance(durationMs, f.typicalDurationMs()))).orElseThrow();
    }

    private static double distance(Double trace, double deployed) {
        if (trace == null || !Double.isFinite(trace)) {
            return 0;
        }
        // Traces record 0 ms and 0 MB for tiny functions; a floor of 1 keeps the logarithm finite.
        return Math.abs(Math.log(Math.max(trace, 1) / Math.max(deployed, 1)));
    }
}
