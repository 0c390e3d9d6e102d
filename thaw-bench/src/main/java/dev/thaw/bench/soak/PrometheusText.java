package dev.thaw.bench.soak;

import java.util.Map;

/** Reads values out of the Prometheus text exposition format, as Thaw's {@code /metrics} serve it. */
final class PrometheusText {
    /** Bounds the work on a hostile or broken answer. */
    static final int MAX_CHARS = 8 << 20;

    private PrometheusText() {
    }

    /**
     * The sum of every sample of {@code metric} whose labels include all of {@code labels}; NaN when there is
     * none.
     */
    static double sum(String text, String metric, Map<String, String> labels) {
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("metrics text of " + text.length() + " characters is over "
                    + MAX_CHARS);
        }
        double total = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || !line.startsWith(metric)) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
            if (nameEnd != metric.length()) {
                continue; // a longer name with the same prefix
            }
            String labelText = "";
            int valueStart = space;
            if (nameEnd == brace) {
                int close = line.lastIndexOf('}');
                if (close < brace) {
                    continue;
                }
                labelText = line.substring(brace + 1, close);
                valueStart = close + 1;
            }
            if (!matches(labelText, labels)) {
                continue;
            }
            String[] rest = line.substring(valueStart).strip().split("\\s+");
            try {
                double value = Double.parseDouble(rest[0]);
                if (Double.isFinite(value)) {
                    total += value;
                    found = true;
                }
            } catch (NumberFormatException e) {
                // not a sample line we understand
            }
        }
        return found ? total : Double.NaN;
    }

    private static boolean matches(String labelText, Map<String, String> labels) {
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!labelText.contains(label.getKey() + "=\"" + label.getValue() + "\"")) {
                return false;
            }
        }
        return true;
    }
}
