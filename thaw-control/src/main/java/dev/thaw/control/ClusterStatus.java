package dev.thaw.control;

/** The cluster at a glance, as {@code GET /v1/status} shows it. */
public record ClusterStatus(String schedulerPolicy, int nodes, int liveNodes, int functions, int instances) {
}
