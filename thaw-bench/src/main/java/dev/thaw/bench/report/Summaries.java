package dev.thaw.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reduces samples to {@link ConfigurationSummary} figures. */
public final class Summaries {

    private Summaries() {}

    /** Summarizes {@code samples} under {@code name}; their own configuration field is not checked. */
    public static ConfigurationSummary of(String name, List<Sample> samples) {
        long failures = 0;
        long functionErrors = 0;
        long rejected = 0;
        long clientErrors = 0;
        long bytes = 0;
        StartCounts starts = StartCounts.NONE;
        List<Double> cold = new ArrayList<>();
        for (Sample sample : samples) {
            bytes += sample.bytesFetched();
            if (sample.failed()) {
                switch (sample.failure()) {
                    case Sample.FUNCTION_ERROR -> functionErrors++;
                    case Sample.REJECTED -> rejected++;
                    case Sample.CLIENT_ERROR -> clientErrors++;
                    default -> failures++;
                }
                continue;
            }
            starts = starts.plus(sample.start());
            if (!sample.start().equals("warm")) {
                cold.add(sample.initMs());
            }
        }
        double[] sorted = cold.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElseThrow();
        long found = starts.clones() + starts.local() + starts.remote();
        double hitRate = found == 0 ? Double.NaN : (double) (starts.clones() + starts.local()) / found;
        return new ConfigurationSummary(name, samples.size(), failures, starts.cold(), mean,
                NearestRank.of(sorted, 0.50), NearestRank.of(sorted, 0.90), NearestRank.of(sorted, 0.95),
                NearestRank.of(sorted, 0.99), hitRate, bytes, starts, functionErrors, rejected, clientErrors);
    }

    /** One summary per configuration found in {@code samples}, in {@link Configurations#order} order. */
    public static List<ConfigurationSummary> byConfiguration(List<Sample> samples) {
        Map<String, List<Sample>> grouped = new LinkedHashMap<>();
        for (Sample sample : samples) {
            grouped.computeIfAbsent(sample.configuration(), k -> new ArrayList<>()).add(sample);
        }
        return Configurations.order(grouped.keySet()).stream().map(name -> of(name, grouped.get(name))).toList();
    }

    /** Cold-start latencies per configuration, in {@link Configurations#order} order, for the charts. */
    public static Map<String, List<Double>> coldStartLatencies(List<Sample> samples) {
        Map<String, List<Double>> grouped = new LinkedHashMap<>();
        for (Sample sample : samples) {
            List<Double> values = grouped.computeIfAbsent(sample.configuration(), k -> new ArrayList<>());
            if (!sample.failed() && !sample.start().equals("warm")) {
                values.add(sample.initMs());
            }
        }
        Map<String, List<Double>> ordered = new LinkedHashMap<>();
        Configurations.order(grouped.keySet()).forEach(name -> ordered.put(name, grouped.get(name)));
        return ordered;
    }
}
