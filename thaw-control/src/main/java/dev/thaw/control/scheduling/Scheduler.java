package dev.thaw.control.scheduling;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Filter then score, the way Kubernetes schedules: drop nodes that cannot host the instance, rank the rest. */
public final class Scheduler {
    private Scheduler() {
    }

    /** The candidates with at least {@code memoryMib} free and a free instance slot. */
    public static List<NodeCandidate> filter(List<NodeCandidate> candidates, long memoryMib) {
        return candidates.stream().filter(c -> c.memoryMibFree() >= memoryMib && c.slotsFree() > 0).toList();
    }

    /** The feasible candidates, best first; equal scores are ordered by name so placement is deterministic. */
    public static List<NodeCandidate> rank(SchedulerPolicy policy, List<NodeCandidate> candidates, long memoryMib) {
        return filter(candidates, memoryMib).stream()
                .sorted(Comparator.comparingInt((NodeCandidate c) -> -Scoring.score(policy, c))
                        .thenComparing(NodeCandidate::name))
                .toList();
    }

    /** The best feasible candidate, or empty when none can host the instance. */
    public static Optional<NodeCandidate> pick(SchedulerPolicy policy, List<NodeCandidate> candidates, long memoryMib) {
        return rank(policy, candidates, memoryMib).stream().findFirst();
    }
}
