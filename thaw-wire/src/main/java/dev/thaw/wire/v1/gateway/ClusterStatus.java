package dev.thaw.wire.v1.gateway;

import java.util.List;

/**
 * The cluster at a glance, as {@code GET /v1/status} shows it.
 *
 * @param bodyLimitBytes the largest invocation body the gateway accepts (0 from gateways that do not say)
 * @param registry where the function registry lives
 * @param registryUnavailable why the registry is not loaded yet (the API answers 503 meanwhile), or null
 * @param registryProblems registry records that could not be served, each naming its function and object
 */
public record ClusterStatus(String schedulerPolicy, int nodes, int liveNodes, int functions, int instances,
        long bodyLimitBytes, String registry, String registryUnavailable,
        List<RegistryProblemReport> registryProblems) {
}
