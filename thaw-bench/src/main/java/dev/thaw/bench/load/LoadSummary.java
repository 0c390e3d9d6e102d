package dev.thaw.bench.load;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A run's invocations per function and failure class, with the first error seen of each class. */
public record LoadSummary(Map<String, Map<FailureClass, Long>> byFunction, Map<FailureClass, Long> totals,
        Map<FailureClass, String> firstErrors, long invocations) {

    public static LoadSummary of(List<InvocationRecord> records) {
        Map<String, Map<FailureClass, Long>> byFunction = new LinkedHashMap<>();
        Map<FailureClass, Long> totals = new EnumMap<>(FailureClass.class);
        Map<FailureClass, String> firstErrors = new EnumMap<>(FailureClass.class);
        for (FailureClass c : FailureClass.values()) {
            totals.put(c, 0L);
        }
        for (InvocationRecord r : records) {
            byFunction.computeIfAbsent(r.function(), f -> {
                Map<FailureClass, Long> counts = new EnumMap<>(FailureClass.class);
                for (FailureClass c : FailureClass.values()) {
                    counts.put(c, 0L);
                }
                return counts;
            }).merge(r.failure(), 1L, Long::sum);
            totals.merge(r.failure(), 1L, Long::sum);
            if (r.failure() != FailureClass.NONE) {
                firstErrors.putIfAbsent(r.failure(), r.function() + ": " + r.error());
            }
        }
        return new LoadSummary(byFunction, totals, firstErrors, records.size());
    }

    public long count(FailureClass c) {
        return totals.getOrDefault(c, 0L);
    }

    /** All failures, whatever their class. */
    public long failures() {
        return invocations - count(FailureClass.NONE);
    }

    /** The exit status: platform errors fail a run; with {@code strict}, any failure does. */
    public int exitStatus(boolean strict) {
        return count(FailureClass.PLATFORM_ERROR) > 0 || (strict && failures() > 0) ? 1 : 0;
    }

    /** A table: one row per function and a total, a column per class; then the first error of each class. */
    public String text() {
        StringBuilder out = new StringBuilder();
        String format = "%-24s %8s %8s %15s %9s %15s %13s%n";
        out.append(String.format(Locale.ROOT, format, "function", "calls", "ok", "function_error", "rejected",
                "platform_error", "client_error"));
        byFunction.forEach((function, counts) -> out.append(row(format, function, counts)));
        out.append(row(format, "total", totals));
        firstErrors.forEach((c, error) -> out.append("first ").append(c.label()).append(": ").append(error)
                .append('\n'));
        return out.toString();
    }

    private static String row(String format, String name, Map<FailureClass, Long> counts) {
        long calls = counts.values().stream().mapToLong(Long::longValue).sum();
        return String.format(Locale.ROOT, format, name, calls, counts.get(FailureClass.NONE),
                counts.get(FailureClass.FUNCTION_ERROR), counts.get(FailureClass.REJECTED),
                counts.get(FailureClass.PLATFORM_ERROR), counts.get(FailureClass.CLIENT_ERROR));
    }
}
