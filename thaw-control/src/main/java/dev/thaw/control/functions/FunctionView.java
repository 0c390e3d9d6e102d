package dev.thaw.control.functions;

import java.time.Instant;

/** A deployed function as the gateway API shows it. */
public record FunctionView(String name, String revision, FunctionSettings settings, String imageDigest,
        Instant deployedAt, int instances) {
}
