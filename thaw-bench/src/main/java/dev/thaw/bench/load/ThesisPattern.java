package dev.thaw.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * All functions busy for {@code onSeconds}, then idle for {@code offSeconds}, repeated: each idle phase lets
 * instances go cold so each busy phase starts with cold starts (by default one minute on, one minute off).
 */
public final class ThesisPattern {
    private ThesisPattern() {
    }

    public static Workload of(List<String> functions, int cycles, double onSeconds, double offSeconds,
            double perFunctionRatePerSecond) {
        if (functions.isEmpty() || cycles <= 0 || !(onSeconds > 0) || !(offSeconds >= 0)
                || !(perFunctionRatePerSecond > 0) || !Double.isFinite(onSeconds + offSeconds + perFunctionRatePerSecond)) {
            throw new IllegalArgumentException("thesis pattern needs functions, cycles > 0, on > 0 s, off >= 0 s"
                    + " and a rate > 0, got " + functions.size() + " functions, " + cycles + " cycles, on "
                    + onSeconds + " s, off " + offSeconds + " s, rate " + perFunctionRatePerSecond + "/s");
        }
        double period = 1 / perFunctionRatePerSecond;
        List<Arrival> arrivals = new ArrayList<>();
        for (int cycle = 0; cycle < cycles; cycle++) {
            double start = cycle * (onSeconds + offSeconds);
            for (int f = 0; f < functions.size(); f++) {
                // Functions are staggered within one period so their requests do not all land at once.
                double stagger = period * f / functions.size();
                for (long k = 0; stagger + k * period < onSeconds; k++) {
                    arrivals.add(new Arrival(start + stagger + k * period, functions.get(f)));
                }
            }
        }
        return new Workload(arrivals, cycles * (onSeconds + offSeconds), String.format(Locale.ROOT,
                "thesis pattern: %d functions, %d cycles of %gs on / %gs off at %g/s each", functions.size(), cycles,
                onSeconds, offSeconds, perFunctionRatePerSecond));
    }
}
