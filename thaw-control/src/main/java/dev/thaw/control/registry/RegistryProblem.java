package dev.thaw.control.registry;

/**
 * A registry record the gateway could not serve: malformed, from a newer Thaw, or pointing
 * at a code archive that is gone. It is reported, never dropped: the function answers 503
 * naming the problem until a new deploy writes a good record over it.
 *
 * @param function the function's name (from the key, since the record may be unreadable)
 * @param key the object that holds the record
 * @param problem what is wrong, and what to do
 * @param serving whether the function is still served despite the problem (a missing archive only)
 * @param generation the generation of the record, which the next write of the function must name (0 if none)
 */
public record RegistryProblem(String function, String key, String problem, boolean serving, long generation) {
}
