package dev.thaw.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PNG charts of cold-start latency, 1200×700 on white. Non-finite values are ignored; an empty
 * series is marked "no data" and an empty chart carries a note instead of failing.
 */
public final class Charts {

    public static final String BOX_PLOT_FILE = "cold-start-box.png";
    public static final String CDF_FILE = "cold-start-cdf.png";
    public static final String TAIL_FILE = "cold-start-tail.png";

    private static final String[] TAILS = {"P50", "P90", "P95", "P99"};

    private Charts() {}

    /** Box plot with a log y axis when the data span more than a factor of 20. */
    public static void boxPlot(Map<String, List<Double>> byConfiguration, String title, String yLabel, Path png) {
        double[] range = range(byConfiguration.values());
        boxPlot(byConfiguration, title, yLabel, range[0] > 0 && Axis.wantsLog(range[0], range[1]), png);
    }

    /**
     * One box per configuration: box from Q1 to Q3, a line at the median, whiskers at P5 and P95
     * (percentiles, not 1.5 IQR, so that they read as "90 % of starts lie between") and a dot
     * for each value beyond them. All percentiles are nearest-rank.
     */
    public static void boxPlot(Map<String, List<Double>> byConfiguration, String title, String yLabel, boolean logScale,
            Path png) {
        Canvas c = new Canvas(title);
        double[] range = range(byConfiguration.values());
        if (range[1] < range[0]) {
            c.yAxis(Axis.of(1, 10, logScale), yLabel);
            c.note("No data");
            c.save(png);
            return;
        }
        // Log axes start at the smallest positive value; anything below sits on the bottom edge.
        double lo = !logScale ? range[0] : Double.isFinite(range[2]) ? range[2] : 1;
        Axis axis = Axis.of(lo, Math.max(range[1], lo), logScale);
        c.yAxis(axis, yLabel);
        List<String> names = new ArrayList<>(byConfiguration.keySet());
        int slot = (c.right - c.left) / Math.max(1, names.size());
        int half = Math.min(45, slot / 4);
        FontMetrics fm = c.g.getFontMetrics();
        for (int i = 0; i < names.size(); i++) {
            int x = c.left + slot * i + slot / 2;
            double[] v = sorted(byConfiguration.get(names.get(i)));
            c.g.setColor(Color.BLACK);
            c.centered(names.get(i), x, c.bottom + 8 + fm.getAscent());
            c.centered("n = " + v.length, x, c.bottom + 10 + 2 * fm.getAscent());
            if (v.length == 0) {
                c.g.setColor(Color.DARK_GRAY);
                c.centered("no data", x, (c.top + c.bottom) / 2);
                continue;
            }
            double p5 = NearestRank.of(v, 0.05);
            double p95 = NearestRank.of(v, 0.95);
            int q1 = c.y(axis, NearestRank.of(v, 0.25));
            int q3 = c.y(axis, NearestRank.of(v, 0.75));
            Color colour = Canvas.colour(i);
            c.g.setColor(colour);
            for (double value : v) {
                if (value < p5 || value > p95) {
                    c.g.fillOval(x - 3, c.y(axis, value) - 3, 6, 6);
                }
            }
            c.g.setColor(Color.BLACK);
            c.g.setStroke(new BasicStroke(1.5f));
            c.g.drawLine(x, c.y(axis, p5), x, q1);
            c.g.drawLine(x, q3, x, c.y(axis, p95));
            c.g.drawLine(x - half / 2, c.y(axis, p5), x + half / 2, c.y(axis, p5));
            c.g.drawLine(x - half / 2, c.y(axis, p95), x + half / 2, c.y(axis, p95));
            c.g.setColor(colour);
            c.g.fillRect(x - half, q3, 2 * half, Math.max(1, q1 - q3));
            c.g.setColor(Color.BLACK);
            c.g.drawRect(x - half, q3, 2 * half, Math.max(1, q1 - q3));
            c.g.setStroke(new BasicStroke(3f));
            int median = c.y(axis, NearestRank.of(v, 0.50));
            c.g.drawLine(x - half, median, x + half, median);
            c.g.setStroke(new BasicStroke(1f));
        }
        c.g.setColor(Color.DARK_GRAY);
        String[] key = {"Box: Q1–Q3", "Line: median", "Whiskers: P5–P95", "Dots: beyond P5–P95"};
        for (int k = 0; k < key.length; k++) {
            c.g.drawString(key[k], c.right + 20, c.top + 20 + 22 * k);
        }
        c.save(png);
    }

    /** Empirical CDF, one step line per configuration, log x axis unless some value is not positive. */
    public static void cdf(Map<String, List<Double>> byConfiguration, String title, String xLabel, Path png) {
        Canvas c = new Canvas(title);
        double[] range = range(byConfiguration.values());
        Axis yAxis = Axis.of(0, 1, false);
        if (range[1] < range[0]) {
            c.xAxis(Axis.of(1, 10, true), xLabel);
            c.yAxis(yAxis, "Fraction of cold starts");
            c.note("No data");
            c.save(png);
            return;
        }
        boolean log = range[0] > 0;
        Axis xAxis = Axis.of(range[0], range[1], log);
        c.xAxis(xAxis, xLabel);
        c.yAxis(yAxis, "Fraction of cold starts");
        List<String> names = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<Double>> series : byConfiguration.entrySet()) {
            Color colour = Canvas.colour(i++);
            double[] v = sorted(series.getValue());
            names.add(series.getKey() + (v.length == 0 ? " (no data)" : ""));
            colours.add(colour);
            c.g.setColor(colour);
            c.g.setStroke(new BasicStroke(2.5f));
            int px = c.x(xAxis, v.length == 0 ? 0 : v[0]);
            int py = c.y(yAxis, 0);
            for (int k = 0; k < v.length; k++) {
                int x = c.x(xAxis, v[k]);
                int y = c.y(yAxis, (k + 1.0) / v.length);
                c.g.drawLine(px, py, x, py);
                c.g.drawLine(x, py, x, y);
                px = x;
                py = y;
            }
        }
        c.g.setStroke(new BasicStroke(1f));
        c.legend(names, colours);
        c.save(png);
    }

    /** Grouped bars of P50/P90/P95/P99 per configuration; log y when they span more than a factor of 20. */
    public static void tailPercentiles(List<ConfigurationSummary> summaries, String title, Path png) {
        Canvas c = new Canvas(title);
        List<Double> all = new ArrayList<>();
        for (ConfigurationSummary s : summaries) {
            all.addAll(List.of(s.p50Ms(), s.p90Ms(), s.p95Ms(), s.p99Ms()));
        }
        double[] range = range(List.of(all));
        List<Color> colours = List.of(Canvas.colour(0), Canvas.colour(1), Canvas.colour(4), Canvas.colour(2));
        if (range[1] < range[0]) {
            c.yAxis(Axis.of(0, 10, false), "Cold-start latency (ms)");
            c.note("No data");
            c.save(png);
            return;
        }
        boolean log = range[0] > 0 && Axis.wantsLog(range[0], range[1]);
        Axis axis = Axis.of(log ? range[0] : 0, range[1], log);
        c.yAxis(axis, "Cold-start latency (ms)");
        int slot = (c.right - c.left) / Math.max(1, summaries.size());
        int bar = Math.min(36, (slot - 20) / TAILS.length);
        FontMetrics fm = c.g.getFontMetrics();
        Font small = c.g.getFont().deriveFont(11f);
        for (int i = 0; i < summaries.size(); i++) {
            ConfigurationSummary s = summaries.get(i);
            int x0 = c.left + slot * i + (slot - bar * TAILS.length) / 2;
            c.g.setColor(Color.BLACK);
            c.centered(s.name(), c.left + slot * i + slot / 2, c.bottom + 8 + fm.getAscent());
            double[] values = {s.p50Ms(), s.p90Ms(), s.p95Ms(), s.p99Ms()};
            if (!Double.isFinite(values[0])) {
                c.g.setColor(Color.DARK_GRAY);
                c.centered("no data", c.left + slot * i + slot / 2, (c.top + c.bottom) / 2);
                continue;
            }
            for (int k = 0; k < values.length; k++) {
                int y = c.y(axis, values[k]);
                c.g.setColor(colours.get(k));
                c.g.fillRect(x0 + k * bar, y, bar - 2, c.bottom - y);
                c.g.setColor(Color.BLACK);
                c.g.setFont(small);
                c.centered(Axis.label(values[k]), x0 + k * bar + bar / 2 - 1, y - 3);
                c.g.setFont(small.deriveFont(14f));
            }
        }
        c.frame();
        c.legend(List.of(TAILS), colours);
        c.save(png);
    }

    /**
     * Lines through {x, y} points, one per series, with a dot at each point; a series of one point is a dot. Log x
     * when asked and every x is positive. Used by the simulator for hit ratio against cache size and cold starts
     * against memory.
     */
    public static void lines(Map<String, List<double[]>> series, String title, String xLabel, String yLabel,
            boolean logX, Path png) {
        Canvas c = new Canvas(title);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (List<double[]> points : series.values()) {
            for (double[] p : points) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    xs.add(p[0]);
                    ys.add(p[1]);
                }
            }
        }
        double[] xRange = range(List.of(xs));
        double[] yRange = range(List.of(ys));
        if (xRange[1] < xRange[0]) {
            c.xAxis(Axis.of(0, 1, false), xLabel);
            c.yAxis(Axis.of(0, 1, false), yLabel);
            c.note("No data");
            c.save(png);
            return;
        }
        boolean log = logX && xRange[0] > 0;
        Axis xAxis = Axis.of(xRange[0], xRange[1], log);
        Axis yAxis = Axis.of(Math.min(0, yRange[0]), yRange[1], false);
        c.xAxis(xAxis, xLabel);
        c.yAxis(yAxis, yLabel);
        List<String> names = new ArrayList<>();
        List<Color> colours = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
            Color colour = Canvas.colour(i++);
            names.add(entry.getKey());
            colours.add(colour);
            c.g.setColor(colour);
            c.g.setStroke(new BasicStroke(2.5f));
            int px = -1;
            int py = -1;
            for (double[] p : entry.getValue()) {
                if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
                    continue;
                }
                int x = c.x(xAxis, p[0]);
                int y = c.y(yAxis, p[1]);
                if (px >= 0) {
                    c.g.drawLine(px, py, x, y);
                }
                c.g.fillOval(x - 5, y - 5, 10, 10);
                px = x;
                py = y;
            }
        }
        c.g.setStroke(new BasicStroke(1f));
        c.legend(names, colours);
        c.save(png);
    }

    private static double[] sorted(List<Double> values) {
        return values == null ? new double[0]
                : values.stream().filter(v -> v != null && Double.isFinite(v)).mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** {min, max, smallest positive} over finite values; min > max when there are none. */
    private static double[] range(Iterable<List<Double>> series) {
        double min = Double.POSITIVE_INFINITY;
        double minPositive = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (List<Double> values : series) {
            for (double v : sorted(values)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (v > 0) {
                    minPositive = Math.min(minPositive, v);
                }
            }
        }
        return new double[] {min, max, minPositive};
    }
}
