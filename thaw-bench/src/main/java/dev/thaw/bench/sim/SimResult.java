package dev.thaw.bench.sim;

import java.util.Map;

/**
 * One combination's outcome. Cold starts are starts that were not warm; init latencies are over them.
 * {@code seconds} is wall-clock time and {@code cpuSeconds} the simulating thread's CPU time.
 * {@code byteMissRatio} is over the snapshot bytes that cold starts and pre-warms looked up in node caches.
 */
public record SimResult(String name, long invocations, long coldStarts, Map<Tier, Long> startsByTier,
        Map<Tier, Long> prewarmsByTier, long rejected, double meanInitMs, double p99InitMs, double meanInitAllMs,
        double memoryGibS, long bytesFetched, long prefetchedBytes, double byteMissRatio, long events,
        double seconds, double cpuSeconds) {
    public double eventsPerSecond() {
        return seconds > 0 ? events / seconds : Double.NaN;
    }

    /** Per second of the simulating thread's CPU time: the speed on a machine shared with other work. */
    public double eventsPerCpuSecond() {
        return cpuSeconds > 0 ? events / cpuSeconds : Double.NaN;
    }
}
