package dev.thaw.cli;

import dev.thaw.api.FunctionId;
import dev.thaw.control.GatewayClient;
import picocli.CommandLine.Option;

/** The namespace a function command works in: {@code --namespace}, else $THAW_NAMESPACE, else {@code default}. */
final class NamespaceOption {
    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "the namespace of the function (default: $THAW_NAMESPACE, else 'default')")
    String namespace;

    String name() {
        String chosen = namespace != null ? namespace : System.getenv("THAW_NAMESPACE");
        return chosen == null || chosen.isBlank() ? FunctionId.DEFAULT : FunctionId.requireNamespace(chosen);
    }

    GatewayClient of(GatewayClient client) {
        return client.inNamespace(name());
    }
}
