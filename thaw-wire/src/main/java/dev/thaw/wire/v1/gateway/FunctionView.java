package dev.thaw.wire.v1.gateway;

import dev.thaw.api.ExampleRequest;
import java.time.Instant;

/**
 * A deployed function as the gateway API shows it.
 *
 * @param exampleRequest the manifest's sample request (body in base64 in JSON), or null
 */
public record FunctionView(String name, String revision, RunSettings settings, String imageDigest,
        Instant deployedAt, int instances, ExampleRequest exampleRequest) {
}
