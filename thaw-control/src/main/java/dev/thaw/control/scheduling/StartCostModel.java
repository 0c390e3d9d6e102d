package dev.thaw.control.scheduling;

/**
 * Predicts a cold start's latency on a node from its tier there: a restore from the node's cache costs
 * {@code localMs}; a remote start costs {@code restoreMs} plus the bytes to fetch at {@code bandwidthMibPerS}
 * (the share of the snapshot the node lacks: a node with 90 % of it fetches a tenth); a
 * loaded node adds up to {@code queueMs} (all slots or memory taken). Pure, like {@link Scoring}, so the gateway,
 * the Kubernetes extender and the simulator share it. Defaults: {@code thaw bench snapshot} for examples/hello
 * (docs/benchmarks.md).
 */
public record StartCostModel(double localMs, double restoreMs, double bandwidthMibPerS, double queueMs,
        long defaultFetchBytes) {
    /** Local 168.2 ms; remote 537.8 ms of which 352.6 ms fetched 41.1 MiB; a full node doubles a local restore. */
    public static final StartCostModel MEASURED = new StartCostModel(168.2, 537.8 - 352.6, 41.1 / 0.3526, 168.2,
            Math.round(41.1 * 1048576));

    public StartCostModel {
        if (!(localMs > 0) || !(restoreMs >= 0) || !(bandwidthMibPerS > 0) || !(queueMs >= 0)
                || defaultFetchBytes < 0) {
            throw new IllegalArgumentException("start costs must be positive");
        }
    }

    /** Milliseconds to a ready instance if the start went to {@code candidate}. */
    public double predictMs(NodeCandidate candidate) {
        double start;
        if (candidate.cachesRevision()) {
            start = localMs;
        } else {
            long bytes = candidate.fetchBytes() >= 0 ? candidate.fetchBytes() : defaultFetchBytes;
            double missing = bytes * (1 - candidate.presentFraction());
            start = restoreMs + missing / 1048576.0 / bandwidthMibPerS * 1000;
        }
        return start + (1 - candidate.freeFraction()) * queueMs;
    }
}
