package dev.thaw.k8s.functions;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.thaw.api.ExampleRequest;
import dev.thaw.api.Json;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.k8s.crd.ServedRevision;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.time.Instant;
import java.util.Map;

/** Between the gateway's {@link DeployedFunction} and the {@link ServedRevision} a status carries. */
final class ServedRevisions {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private ServedRevisions() {
    }

    static ServedRevision of(DeployedFunction f, String digest) {
        return new ServedRevision(f.revision(), Declaration.archiveRef(digest), ThawFunctionSettings.of(f.settings()),
                f.imageDigest(), f.deployedAt().toString(), Json.mapper().convertValue(f.spec(), MAP),
                f.exampleRequest() == null ? null : Json.mapper().convertValue(f.exampleRequest(), MAP));
    }

    /**
     * The function a status says is served as {@code name}.
     *
     * @throws IllegalArgumentException when it is incomplete or names another function
     */
    static DeployedFunction function(String name, ServedRevision s) {
        if (s.revision() == null || s.settings() == null || s.deployment() == null || s.deployedAt() == null) {
            throw new IllegalArgumentException("status.served lacks its revision, settings, deployment or deployedAt");
        }
        DeploymentSpec spec = Json.mapper().convertValue(s.deployment(), DeploymentSpec.class);
        if (!spec.function().equals(name) || !spec.revision().equals(s.revision())) {
            throw new IllegalArgumentException("status.served is for " + spec.function() + "/" + spec.revision()
                    + ", not " + name + "/" + s.revision());
        }
        ExampleRequest example = s.exampleRequest() == null ? null
                : Json.mapper().convertValue(s.exampleRequest(), ExampleRequest.class);
        return new DeployedFunction(name, s.revision(), s.settings().resolve(), spec, s.imageDigest(),
                Instant.parse(s.deployedAt()), example);
    }

    /** The SHA-256 a served revision's {@code archive} names, or null. */
    static String digest(ServedRevision s) {
        return s.archive() != null && s.archive().startsWith(Declaration.PREFIX)
                ? s.archive().substring(Declaration.PREFIX.length()) : null;
    }
}
