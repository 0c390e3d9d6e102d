package dev.thaw.bench.sim;

/** The simulated cluster: identical nodes, each with guest memory, instance slots and a snapshot cache budget. */
public record ClusterConfig(int nodes, long memoryMib, int slots, long cacheBytes) {
    public ClusterConfig {
        if (nodes < 1 || nodes > 10_000) {
            throw new IllegalArgumentException("nodes must be 1..10000, got " + nodes);
        }
        if (memoryMib < 1 || slots < 1 || cacheBytes < 0) {
            throw new IllegalArgumentException("node memory and slots must be >= 1 and the cache budget >= 0");
        }
    }
}
