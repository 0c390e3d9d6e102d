package dev.thaw.bench.sim;

import dev.thaw.bench.load.AzureTrace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A trace ready to simulate: functions and their invocation counts per minute. */
public record SimTrace(String source, List<SimFunction> functions, int[][] counts, int minutes) {
    /** The bound on one minute's count for one function; more is taken for a broken trace. */
    public static final int MAX_PER_MINUTE = AzureTrace.MAX_COUNT_PER_MINUTE;
    /** Memory and duration of functions the trace gives no size for: the trace's medians (see docs/policies.md). */
    static final int DEFAULT_MEMORY_MIB = 128;
    static final double DEFAULT_DURATION_MS = 1000;

    public SimTrace {
        functions = List.copyOf(functions);
        if (functions.size() != counts.length) {
            throw new IllegalArgumentException("one count row per function");
        }
    }

    public long invocations() {
        long total = 0;
        for (int[] row : counts) {
            for (int c : row) {
                total += c;
            }
        }
        return total;
    }

    /**
     * Reads an Azure-format trace directory. Functions never invoked are dropped; a trace with none left is an
     * error naming the file. {@code storedFraction} is the share of a snapshot's bytes a fetch moves (compression).
     */
    public static SimTrace read(Path dir, int maxMinutes, double storedFraction) {
        List<AzureTrace.TracedFunction> traced = AzureTrace.functions(dir, maxMinutes, MAX_PER_MINUTE);
        List<SimFunction> functions = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        int minutes = 0;
        for (AzureTrace.TracedFunction f : traced) {
            minutes = Math.max(minutes, f.counts().length);
            if (f.invocations() == 0) {
                continue;
            }
            int memory = f.memoryMib() == null || !(f.memoryMib() > 0) ? DEFAULT_MEMORY_MIB
                    : (int) Math.clamp(Math.ceil(f.memoryMib()), 1, 1 << 20);
            double duration = f.durationMs() == null || !(f.durationMs() >= 0) ? DEFAULT_DURATION_MS
                    : Math.min(f.durationMs(), 3_600_000);
            long bytes = (long) memory << 20;
            functions.add(new SimFunction(f.key(), memory, duration, bytes, Math.round(bytes * storedFraction)));
            counts.add(f.counts());
        }
        if (functions.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve("invocations.csv") + ":2: no functions with invocations"
                    + " in the trace, nothing to simulate");
        }
        return new SimTrace(dir.toString(), functions, counts.toArray(int[][]::new), minutes);
    }
}
