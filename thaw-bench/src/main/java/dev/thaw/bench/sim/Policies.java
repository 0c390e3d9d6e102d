package dev.thaw.bench.sim;

import dev.thaw.control.scheduling.SchedulerPolicy;
import java.util.List;
import java.util.Locale;

/** The policies the simulator knows, by name; an unknown name is an error listing the known ones. */
public final class Policies {
    public static final List<String> EVICTION = List.of("lru", "lfu", "gdsf", "w-tinylfu");
    /** Eviction policies that need the future: they run only in the eviction replay. */
    public static final List<String> CLAIRVOYANT = List.of("belady");
    public static final List<String> KEEP_ALIVE = List.of("fixed", "greedy-dual", "hybrid-histogram");
    public static final List<String> PLACEMENT = List.of("snapshot-aware", "cost-aware", "spread");
    public static final List<String> PREFETCH = List.of("none", "histogram");

    /** The longest pre-warm window the hybrid policy holds memory for; wider histograms fall back. */
    static final double HYBRID_MAX_WINDOW_MS = 10 * 60_000;

    private Policies() {
    }

    static void check(Combination c) {
        known("keep-alive", c.keepAlive(), KEEP_ALIVE);
        if (CLAIRVOYANT.contains(c.eviction())) {
            throw new IllegalArgumentException("eviction policy '" + c.eviction() + "' needs the future: it runs "
                    + "in the eviction replay only; in a cluster use one of " + String.join(", ", EVICTION));
        }
        known("eviction", c.eviction(), EVICTION);
        known("placement", c.placement(), PLACEMENT);
        known("prefetch", c.prefetch(), PREFETCH);
    }

    public static String known(String kind, String name, List<String> names) {
        String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        if (!names.contains(wanted)) {
            throw new IllegalArgumentException("unknown " + kind + " policy '" + name + "': known are "
                    + String.join(", ", names));
        }
        return wanted;
    }

    static CachePolicy cache(String name, int keys, long budget, int[] sequence) {
        return switch (name) {
            case "lru" -> new LruCache(keys, budget);
            case "lfu" -> new LfuCache(keys, budget);
            case "gdsf" -> new GdsfCache(keys, budget);
            case "w-tinylfu" -> new WTinyLfuCache(keys, budget);
            case "belady" -> new BeladyCache(keys, budget, sequence);
            default -> throw new IllegalArgumentException("unknown eviction policy '" + name + "': known are "
                    + String.join(", ", EVICTION) + ", " + String.join(", ", CLAIRVOYANT));
        };
    }

    static KeepAlivePolicy keepAlive(String name, SimTrace trace, StartCosts costs, IdleHistogram idle,
            double fixedMs, double concurrentMs, int peakMinutes, double burstShare, double coldStartGibS) {
        return switch (name) {
            case "fixed" -> new FixedKeepAlive(fixedMs);
            case "greedy-dual" -> new GreedyDualKeepAlive(trace, costs, Double.POSITIVE_INFINITY);
            case "hybrid-histogram" -> new HybridHistogramKeepAlive(idle,
                    trace.functions().stream().mapToInt(SimFunction::memoryMib).toArray(), fixedMs,
                    HYBRID_MAX_WINDOW_MS, concurrentMs, peakMinutes, burstShare, coldStartGibS);
            default -> throw new IllegalArgumentException("unknown keep-alive policy '" + name + "': known are "
                    + String.join(", ", KEEP_ALIVE));
        };
    }

    static SchedulerPolicy placement(String name) {
        return SchedulerPolicy.parse(name);
    }
}
