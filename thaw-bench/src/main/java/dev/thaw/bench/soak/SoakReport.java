package dev.thaw.bench.soak;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Every process's every figure judged for growth over a soak, and the verdict. */
public record SoakReport(List<Row> rows, int samples, int probeFailures, double seconds) {
    /** One series' trend. */
    public record Row(String process, ProcessSample.Metric metric, Trend trend) {
    }

    public SoakReport {
        rows = List.copyOf(rows);
    }

    static SoakReport of(List<SoakMonitor.Timed> samples, int probeFailures) {
        Set<String> processes = new LinkedHashSet<>();
        samples.forEach(s -> processes.add(s.sample().process()));
        List<Row> rows = new ArrayList<>();
        for (String process : processes) {
            List<SoakMonitor.Timed> own = samples.stream().filter(s -> s.sample().process().equals(process)).toList();
            double[] seconds = own.stream().mapToDouble(SoakMonitor.Timed::seconds).toArray();
            for (ProcessSample.Metric metric : ProcessSample.METRICS) {
                double[] values = own.stream().mapToDouble(s -> metric.of(s.sample())).toArray();
                if (java.util.Arrays.stream(values).allMatch(Double::isNaN)) {
                    continue; // a figure this process does not report
                }
                rows.add(new Row(process, metric, Trend.of(seconds, values, metric.floor())));
            }
        }
        double span = samples.isEmpty() ? 0 : samples.getLast().seconds() - samples.getFirst().seconds();
        int points = (int) samples.stream().mapToDouble(SoakMonitor.Timed::seconds).distinct().count();
        return new SoakReport(rows, points, probeFailures, span);
    }

    /** The series that grew without bound. */
    public List<Row> growing() {
        return rows.stream().filter(r -> r.trend().verdict() == Trend.Verdict.GROWS).toList();
    }

    /** Whether every series could be judged: enough samples in the second half. */
    public boolean judged() {
        return !rows.isEmpty() && rows.stream().noneMatch(r -> r.trend().verdict() == Trend.Verdict.TOO_FEW);
    }

    /** The printed table and verdict. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "soak trend: %d samples over %s; a line fitted to the second half, "
                + "'GROWS' when its slope is over %.0f standard errors and its rise over max(floor, %.0f%% of the "
                + "first half's mean)%n", samples, SoakMonitor.clock(seconds), Trend.T_LIMIT,
                Trend.RELATIVE_LIMIT * 100));
        out.append(String.format(Locale.ROOT, "%-10s %-13s %6s %12s %12s %12s %12s %8s %10s %8s  %s%n", "process",
                "figure", "n", "1st half", "2nd half", "slope/h", "±se/h", "t", "rise", "floor", "verdict"));
        for (Row r : rows) {
            Trend t = r.trend();
            String unit = r.metric().unit().isEmpty() ? "" : " " + r.metric().unit();
            out.append(String.format(Locale.ROOT, "%-10s %-13s %6d %12s %12s %12s %12s %8s %10s %8s  %s%n",
                    r.process(), r.metric().label() + unit, t.samples(), f(t.firstHalfMean()), f(t.secondHalfMean()),
                    f(t.slopePerHour()), f(t.slopeErrorPerHour()), f(t.tValue()), f(t.growth()),
                    f(r.metric().floor()), t.verdict().label()));
        }
        out.append(verdict());
        return out.toString();
    }

    public String verdict() {
        if (rows.isEmpty()) {
            return "verdict: no figures were read (" + probeFailures + " failed reads)\n";
        }
        List<Row> growing = growing();
        if (!growing.isEmpty()) {
            return "verdict: GROWTH in " + String.join(", ", growing.stream()
                    .map(r -> r.process() + " " + r.metric().label()).toList()) + "\n";
        }
        if (!judged()) {
            return "verdict: not enough samples to judge every figure; run longer or report more often\n";
        }
        return "verdict: no figure grew without bound" + (probeFailures > 0 ? " (" + probeFailures
                + " reads failed)" : "") + "\n";
    }

    private static String f(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.2f", value);
    }
}
