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
        Map<String, Double> durations = sizes(dir.resolve(DURATIONS), "Average", "percentile_Average_50");
        Map<String, Double> memory = sizes(dir.resolve(MEMORY), "AverageAllocatedMb", "AverageAllocatedMb_pct50");

        SplittableRandom random = new SplittableRandom(seed);
        List<Arrival> arrivals = new ArrayList<>();
        List<Integer> minuteColumns = minuteColumns(Csv.header(invocations), maxMinutes);
        if (minuteColumns.isEmpty()) {
            throw Csv.error(invocations, 1, "no minute columns (1, 2, ...) in the header");
        }
        int[] traced = {0};
        Csv.read(invocations, row -> {
            String key = key(row, true);
            String function = null;
            for (int m = 0; m < minuteColumns.size(); m++) {
                int column = minuteColumns.get(m);
                int count = count(row, column);
                if (count == 0) {
                    continue;
                }
                if (function == null) {
                    // Either file may be per function or, like the public memory trace, per app.
                    String app = key(row, false);
                    function = nearest(functions, memory.getOrDefault(key, memory.get(app)),
                            durations.getOrDefault(key, durations.get(app))).name();
                    traced[0]++;
                }
                for (double offset : mode.offsets(count, 60, random)) {
                    arrivals.add(new Arrival(m * 60 + offset, function));
                }
            }
        });
        int minutes = minuteColumns.size();
        return new Workload(arrivals, minutes * 60.0, "Azure trace " + dir + ": " + traced[0]
                + " functions on " + functions.size() + " deployed, " + minutes + " min, " + mode);
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
    static final int MAX_COUNT_PER_MINUTE = 10_000_000;

    private static int count(Csv.Row row, int column) {
        String text = column < row.fields().size() ? row.fields().get(column).strip() : "";
        if (text.isEmpty()) {
            return 0;
        }
        try {
            // Some exports write counts as 3.0.
            double value = Double.parseDouble(text);
            if (value < 0 || value != Math.rint(value)) {
                throw new NumberFormatException();
            }
            if (value > MAX_COUNT_PER_MINUTE) {
                // Each invocation is planned in memory before the run starts.
                throw row.error("invocation count " + text + " in column " + (column + 1) + " is above the limit of "
                        + MAX_COUNT_PER_MINUTE + " per minute");
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
