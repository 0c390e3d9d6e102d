package dev.thaw.control.functions;

import dev.thaw.api.ExampleRequest;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.time.Instant;

/**
 * The current revision of a function as the gateway serves it.
 *
 * @param exampleRequest the manifest's sample request, or null
 */
public record DeployedFunction(String name, String revision, FunctionSettings settings, DeploymentSpec spec,
        String imageDigest, Instant deployedAt, ExampleRequest exampleRequest) {

    public DeployedFunction withSettings(FunctionSettings newSettings) {
        return new DeployedFunction(name, revision, newSettings, spec, imageDigest, deployedAt, exampleRequest);
    }

    public DeployedFunction withExampleRequest(ExampleRequest example) {
        return new DeployedFunction(name, revision, settings, spec, imageDigest, deployedAt, example);
    }
}
