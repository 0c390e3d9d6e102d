package dev.thaw.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A Poisson process of {@code ratePerSecond} in total, each arrival going to the function of rank k (from 1, in
 * list order) with probability proportional to 1 / k^s: a few hot functions and a long cold tail.
 */
public final class PoissonZipf {
    private PoissonZipf() {
    }

    public static Workload of(List<String> functions, double ratePerSecond, double zipfS, double durationSeconds,
            long seed) {
        if (functions.isEmpty() || !(ratePerSecond > 0) || !(zipfS >= 0) || !(durationSeconds >= 0)
                || !Double.isFinite(ratePerSecond + zipfS + durationSeconds)) {
            throw new IllegalArgumentException("Poisson-Zipf needs functions, rate > 0, s >= 0 and duration >= 0, got "
                    + functions.size() + " functions, rate " + ratePerSecond + ", s " + zipfS + ", duration "
                    + durationSeconds);
        }
        double[] cumulative = new double[functions.size()];
        double sum = 0;
        for (int k = 0; k < cumulative.length; k++) {
            sum += 1 / Math.pow(k + 1, zipfS);
            cumulative[k] = sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Arrival> arrivals = new ArrayList<>();
        for (double t = random.nextExponential() / ratePerSecond; t < durationSeconds;
                t += random.nextExponential() / ratePerSecond) {
            int index = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            // binarySearch answers -(insertion point) - 1 for a value between entries.
            index = Math.min(index >= 0 ? index : -index - 1, cumulative.length - 1);
            arrivals.add(new Arrival(t, functions.get(index)));
        }
        return new Workload(arrivals, durationSeconds, String.format(Locale.ROOT,
                "Poisson-Zipf: %g/s over %d functions, s=%g, %gs, seed %d", ratePerSecond, functions.size(), zipfS,
                durationSeconds, seed));
    }
}
