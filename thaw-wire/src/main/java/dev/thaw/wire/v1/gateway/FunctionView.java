package dev.thaw.wire.v1.gateway;

import dev.thaw.api.ExampleRequest;
import java.time.Instant;

/**
 * A deployed function as the gateway API shows it.
 *
 * @param namespace the namespace the function lives in
 * @param name its name there
 * @param exampleRequest the manifest's sample request (body in base64 in JSON), or null
 */
public record FunctionView(String namespace, String name, String revision, RunSettings settings, String imageDigest,
        Instant deployedAt, int instances, ExampleRequest exampleRequest) {
}
