package dev.thaw.control.functions;

import dev.thaw.node.api.DeploymentSpec;
import java.time.Instant;

/** The current revision of a function as the gateway serves it. */
public record DeployedFunction(String name, String revision, FunctionSettings settings, DeploymentSpec spec,
        String imageDigest, Instant deployedAt) {

    public DeployedFunction withSettings(FunctionSettings newSettings) {
        return new DeployedFunction(name, revision, newSettings, spec, imageDigest, deployedAt);
    }
}
