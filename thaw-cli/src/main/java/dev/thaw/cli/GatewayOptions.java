package dev.thaw.cli;

import dev.thaw.control.GatewayClient;
import java.io.IOException;
import java.net.URI;
import picocli.CommandLine.Option;

/** How client commands reach a gateway: flags and $THAW_TOKEN, else the cluster {@code thaw up} started. */
final class GatewayOptions {
    @Option(names = "--gateway", paramLabel = "URL",
            description = "gateway URL (token from $THAW_TOKEN: the admin token, or a namespace token for function"
                    + " commands); default: the cluster started by 'thaw up', with its admin token")
    URI gateway;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "PEM CA certificate(s) an https:// gateway is verified against (default: the JDK's trust"
                    + " store)")
    java.nio.file.Path tlsCa;

    GatewayClient client() throws IOException {
        if (gateway != null) {
            String token = System.getenv("THAW_TOKEN");
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("--gateway needs a token in $THAW_TOKEN (the admin token, or a namespace token)");
            }
            return new GatewayClient(gateway, token, java.util.Optional.ofNullable(tlsCa));
        }
        ClusterFile cluster = ClusterFile.read();
        return new GatewayClient(cluster.gateway(), cluster.token());
    }
}
