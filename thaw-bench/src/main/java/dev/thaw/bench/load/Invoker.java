package dev.thaw.bench.load;

import dev.thaw.control.GatewayClient;

/** Sends one invocation; the gateway in production, a fake in tests. */
@FunctionalInterface
public interface Invoker {
    GatewayClient.Answer invoke(String function, RequestBody request) throws Exception;

    static Invoker of(GatewayClient gateway) {
        return (function, request) -> gateway.invoke(function, request.bytes(), request.contentType());
    }
}
