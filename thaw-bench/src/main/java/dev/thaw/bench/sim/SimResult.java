package dev.thaw.bench.sim;

import java.util.Map;

/**
 * One combination's outcome. Cold starts are starts that were not warm; init latencies are over them.
 * {@code byteMissRatio} is over the snapshot bytes that cold starts and pre-warms looked up in node caches.
 */
public record SimResult(String name, long invocations, long coldStarts, Map<Tier, Long> startsByTier,
        Map<Tier, Long> prewarmsByTier, long rejected, double meanInitMs, double p99InitMs, double meanInitAllMs,
        double memoryGibS, long bytesFetched, long prefetchedBytes, double byteMissRatio, long events,
        double seconds) {
    public double eventsPerSecond() {
        return seconds > 0 ? events / seconds : Double.NaN;
    }
}
