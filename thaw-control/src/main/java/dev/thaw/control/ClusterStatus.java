package dev.thaw.control;

/**
 * The cluster at a glance, as {@code GET /v1/status} shows it.
 *
 * @param bodyLimitBytes the largest invocation body the gateway accepts (0 from gateways that do not say)
 */
public record ClusterStatus(String schedulerPolicy, int nodes, int liveNodes, int functions, int instances,
        long bodyLimitBytes) {
}
