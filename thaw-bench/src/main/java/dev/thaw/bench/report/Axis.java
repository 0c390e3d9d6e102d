package dev.thaw.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A value axis, linear or base-10 logarithmic, widened to round bounds so ticks land on them.
 * On a log axis non-positive values sit at the lower bound.
 */
record Axis(double min, double max, boolean log) {

    /** Log bounds span whole decades; linear bounds start at zero for non-negative data. */
    static Axis of(double lo, double hi, boolean log) {
        if (log) {
            double a = Math.floor(Math.log10(Math.max(lo, 1e-3)));
            double b = Math.ceil(Math.log10(Math.max(hi, 1e-3)));
            if (b <= a) {
                b = a + 1;
            }
            return new Axis(Math.pow(10, a), Math.pow(10, b), true);
        }
        double low = Math.min(0, lo);
        double high = hi <= low ? low + 1 : hi;
        double step = step(high - low);
        return new Axis(Math.floor(low / step) * step, Math.ceil(high / step) * step, false);
    }

    /** Log scale pays off when the data span more than a factor of 20, e.g. clones next to boots. */
    static boolean wantsLog(double lo, double hi) {
        return lo > 0 && hi / lo >= 20;
    }

    /** Where {@code value} falls, 0 at {@code min} and 1 at {@code max}, clamped. */
    double fraction(double value) {
        double f = log
                ? (Math.log10(Math.max(value, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                : (value - min) / (max - min);
        return Math.max(0, Math.min(1, f));
    }

    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            int decades = (int) Math.round(Math.log10(max / min));
            // With few decades, 2 and 5 between powers of ten keep the axis readable.
            int[] steps = decades <= 3 ? new int[] {1, 2, 5} : new int[] {1};
            for (double decade = min; decade < max * 1.0001; decade *= 10) {
                for (int m : steps) {
                    if (decade * m <= max * 1.0001) {
                        ticks.add(decade * m);
                    }
                }
            }
        } else {
            double step = step(max - min);
            for (double v = min; v <= max + step / 1000; v += step) {
                ticks.add(Math.abs(v) < step / 1000 ? 0 : v);
            }
        }
        return ticks;
    }

    /** A 1, 2 or 5 times a power of ten giving about six intervals. */
    private static double step(double range) {
        double raw = range / 6;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / power;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
    }

    static String label(double value) {
        if (value >= 10 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return new java.math.BigDecimal(value).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
    }
}
