package dev.thaw.k8s.functions;

import dev.thaw.api.MachineShape;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionSpec;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.wire.v1.node.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** ThawFunctions and built revisions for the tests. */
final class Fixtures {
    static final String NS = "team-a";
    static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
    static final Path CRD = Path.of("..", "deploy", "base", "crd-thawfunction.yaml");

    private Fixtures() {
    }

    /** Registers the CRD, so the mock server knows the status subresource, as an API server would. */
    static void registerCrd(KubernetesClient client) throws IOException {
        try (InputStream in = Files.newInputStream(CRD)) {
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in,
                    CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
    }

    static ThawFunction object(String name, String digest, ThawFunctionSettings settings) {
        return ThawFunction.of(NS, name, new ThawFunctionSpec(Declaration.archiveRef(digest), settings));
    }

    /** A revision as a gateway would have built it from an archive. */
    static DeployedFunction built(String objectName, String revision, FunctionSettings settings) {
        // The gateway keys a function of namespace NS as NS.name.
        String name = new dev.thaw.api.FunctionId(NS, objectName).key();
        DeploymentSpec spec = new DeploymentSpec(name, revision, MachineShape.DEFAULT, 5_000, 5_000, "k".repeat(64),
                List.of("b".repeat(64), "c".repeat(64)), List.of());
        return new DeployedFunction(name, revision, settings, spec, "i".repeat(64), AT, null);
    }

    static ThawFunctionStatus status(ThawFunction object) {
        return object.getStatus() == null ? ThawFunctionStatus.EMPTY : object.getStatus();
    }
}
