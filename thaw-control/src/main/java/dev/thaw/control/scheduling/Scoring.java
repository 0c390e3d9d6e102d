package dev.thaw.control.scheduling;

/**
 * Scores one candidate node for one cold start, 0 (worst) to 100 (best). Pure: no
 * I/O, no clock, so the same function can back a Kubernetes scheduler extender.
 *
 * <p>SPREAD: {@code 100 × free fraction}.
 *
 * <p>SNAPSHOT_AWARE: {@code 60 × free fraction + 40 × share of the snapshot present}. A cache
 * hit is worth a bounded bonus instead of dominating the score (vHive-style
 * "100 with weight 100" sends every start to the holder until it is full). With
 * 60/40 an idle holder (100) beats an idle non-holder (60), a half-loaded holder
 * (70) still beats it, and the holder only loses once it is more than two thirds
 * loaded (90 % loaded: 46 &lt; 60) — past that point queueing behind its load costs
 * more than the fetch a local snapshot saves. A node with part of the snapshot gets
 * that part of the bonus (90 %: 36), as the fetch it saves is that part of it.
 *
 * <p>COST_AWARE: {@code 100 × local restore ÷ predicted start}, the prediction of
 * {@link StartCostModel}: a remote start costs the fetch of the missing bytes at the
 * measured bandwidth, so a holder of a big snapshot wins against more load than a
 * holder of a small one, and a node with most of a snapshot against more load than
 * one with little of it.
 */
public final class Scoring {
    /** Weight of the free fraction under SNAPSHOT_AWARE. */
    public static final int LOAD_WEIGHT = 60;
    /** Bonus for a node whose cache holds the revision under SNAPSHOT_AWARE. */
    public static final int CACHE_WEIGHT = 40;

    private Scoring() {
    }

    public static int score(SchedulerPolicy policy, NodeCandidate candidate) {
        return score(policy, candidate, StartCostModel.MEASURED);
    }

    public static int score(SchedulerPolicy policy, NodeCandidate candidate, StartCostModel costs) {
        double free = candidate.freeFraction();
        double score = switch (policy) {
            case SPREAD -> 100 * free;
            case SNAPSHOT_AWARE -> LOAD_WEIGHT * free + CACHE_WEIGHT * candidate.presentFraction();
            case COST_AWARE -> 100 * costs.localMs() / costs.predictMs(candidate);
        };
        return (int) Math.round(Math.clamp(score, 0, 100));
    }
}
