package dev.thaw.control.registry;

import dev.thaw.control.functions.DeployedFunction;

/**
 * A function as the durable registry holds it.
 *
 * @param archiveDigest the SHA-256 of the revision's code archive ({@code .tar.gz}), or null when none was kept
 * @param generation increases by one with every write of this function's record; the next write must name it
 */
public record StoredFunction(DeployedFunction function, String archiveDigest, long generation) {
}
