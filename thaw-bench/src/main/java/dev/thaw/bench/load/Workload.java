package dev.thaw.bench.load;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Arrivals sorted by time, all within {@code [0, durationSeconds]}. */
public record Workload(List<Arrival> arrivals, double durationSeconds, String description) {
    public Workload {
        if (!Double.isFinite(durationSeconds) || durationSeconds < 0) {
            throw new IllegalArgumentException("workload duration must be a finite number >= 0, got " + durationSeconds);
        }
        // A stable sort keeps the source's order for arrivals at the same instant.
        arrivals = arrivals.stream().sorted(Comparator.comparingDouble(Arrival::atSeconds)).toList();
        if (!arrivals.isEmpty() && arrivals.getLast().atSeconds() > durationSeconds) {
            throw new IllegalArgumentException("arrival at " + arrivals.getLast().atSeconds()
                    + " s is after the workload's end at " + durationSeconds + " s");
        }
        description = description == null ? "" : description;
    }

    public int size() {
        return arrivals.size();
    }

    /** Invocations per function, in order of first arrival. */
    public Map<String, Integer> countsByFunction() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        arrivals.forEach(a -> counts.merge(a.function(), 1, Integer::sum));
        return counts;
    }

    /**
     * The same arrivals played {@code factor} times faster: with factor 10, ten minutes of trace take one
     * minute of wall time.
     */
    public Workload compressed(double factor) {
        if (!Double.isFinite(factor) || factor <= 0) {
            throw new IllegalArgumentException("compression factor must be a finite number > 0, got " + factor);
        }
        List<Arrival> scaled = arrivals.stream().map(a -> new Arrival(a.atSeconds() / factor, a.function())).toList();
        return new Workload(scaled, durationSeconds / factor,
                description + String.format(Locale.ROOT, ", compressed %gx", factor));
    }
}
