package dev.thaw.bench.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays each node's snapshot lookups, as recorded in one cluster run, through every eviction policy and Belady's
 * bound at several cache sizes: the same streams for all, as Caffeine's simulator compares policies.
 */
public final class CacheReplay {
    /** One policy at one cache size, summed over nodes. */
    public record Point(String stream, String policy, long cacheBytes, long hits, long misses, double hitRatio,
            double byteMissRatio) {
    }

    private CacheReplay() {
    }

    /** {@code stream} names the combination whose lookups {@code log} holds. */
    public static List<Point> run(SimTrace trace, StartCosts costs, Simulator.AccessLog log, String stream,
            List<String> policies, List<Long> cacheSizes) {
        int keys = trace.functions().size();
        long[] sizes = new long[keys];
        double[] missCost = new double[keys];
        for (int f = 0; f < keys; f++) {
            SimFunction fn = trace.functions().get(f);
            sizes[f] = fn.snapshotBytes();
            missCost[f] = costs.remoteMs(fn.fetchBytes()) - costs.localMs();
        }
        List<Point> points = new ArrayList<>();
        for (String policy : policies) {
            for (long budget : cacheSizes) {
                CachePolicy.CacheStats total = new CachePolicy.CacheStats();
                for (int node = 0; node < log.nodes(); node++) {
                    int[] sequence = log.sequence(node);
                    CachePolicy cache = Policies.cache(policy, keys, budget, sequence);
                    for (int key : sequence) {
                        cache.record(key, sizes[key], missCost[key]);
                    }
                    total.add(cache.stats());
                }
                points.add(new Point(stream, policy, budget, total.hits(), total.misses(), total.hitRatio(),
                        total.byteMissRatio()));
            }
        }
        return points;
    }
}
