package dev.thaw.control.registry;

import dev.thaw.api.ExampleRequest;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.time.Instant;

/**
 * One function's record as the object-store registry writes it, one JSON object per
 * generation. A deletion is a record with {@code deleted} set and no revision, so the
 * generation keeps counting and a stale writer still conflicts.
 *
 * @param format {@link #FORMAT}; a reader refuses a record with a higher one rather than guess
 * @param exampleRequest the manifest's sample request, or null
 */
public record RegistryRecord(int format, String name, long generation, boolean deleted, String revision,
        FunctionSettings settings, DeploymentSpec spec, String imageDigest, String archiveDigest, Instant deployedAt,
        ExampleRequest exampleRequest) {

    /** The record format this Thaw writes and the highest it reads. */
    public static final int FORMAT = 1;

    static RegistryRecord of(DeployedFunction f, String archiveDigest, long generation) {
        return new RegistryRecord(FORMAT, f.name(), generation, false, f.revision(), f.settings(), f.spec(),
                f.imageDigest(), archiveDigest, f.deployedAt(), f.exampleRequest());
    }

    static RegistryRecord deletion(String name, long generation, Instant at) {
        return new RegistryRecord(FORMAT, name, generation, true, null, null, null, null, null, at, null);
    }

    /** What is inconsistent in a record read from {@code name}'s generation {@code generation}, or null. */
    String inconsistency(String keyName, long keyGeneration) {
        if (!keyName.equals(name)) {
            return "the record names function '" + name + "' but is stored under '" + keyName + "'";
        }
        if (keyGeneration != generation) {
            return "the record says generation " + generation + " but is stored as generation " + keyGeneration;
        }
        if (deleted) {
            return null;
        }
        if (revision == null || settings == null || spec == null || deployedAt == null) {
            return "the record lacks its revision, settings, spec or deployedAt";
        }
        if (!spec.function().equals(name) || !spec.revision().equals(revision)) {
            return "the record's spec is for " + spec.function() + "/" + spec.revision() + ", not " + name + "/"
                    + revision;
        }
        return null;
    }

    DeployedFunction function() {
        return new DeployedFunction(name, revision, settings, spec, imageDigest, deployedAt, exampleRequest);
    }
}
