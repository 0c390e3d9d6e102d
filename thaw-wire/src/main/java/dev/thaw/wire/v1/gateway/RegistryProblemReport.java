package dev.thaw.wire.v1.gateway;

/**
 * A registry record the gateway could not serve, as {@code GET /v1/status} reports it.
 *
 * @param function the function's name
 * @param key the object that holds the record
 * @param problem what is wrong, and what to do
 * @param serving whether the function is still served despite the problem
 * @param generation the generation of the record, which the next write of the function must name (0 if none)
 */
public record RegistryProblemReport(String function, String key, String problem, boolean serving,
        long generation) {
}
