package dev.thaw.cli;

import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.control.scheduling.SchedulerPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Runs the gateway (control plane) alone: the API that deploys and invokes functions, node "
                + "membership, the scheduler. Tokens come from $THAW_API_TOKEN (users) and $THAW_NODE_TOKEN "
                + "(nodes). Nodes join with 'thaw node --gateway URL'. Without --s3-endpoint it runs without a "
                + "store (nodes in local or disabled mode).")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
            description = "where the API listens (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--policy", defaultValue = "snapshot-aware", paramLabel = "snapshot-aware|spread",
            converter = ClusterOptions.PolicyConverter.class,
            description = "how cold starts are placed (default: ${DEFAULT-VALUE})")
    SchedulerPolicy policy;

    @Option(names = "--body-limit-mib", defaultValue = "6",
            description = "largest request body accepted (default: ${DEFAULT-VALUE})")
    long bodyLimitMib;

    @Option(names = "--liveness-timeout-ms", defaultValue = "3000",
            description = "a node silent this long is taken out of scheduling (default: ${DEFAULT-VALUE})")
    long livenessMs;

    @Mixin
    S3Options s3;

    @Override
    public Integer call() throws Exception {
        String apiToken = requireEnv("THAW_API_TOKEN");
        String nodeToken = requireEnv("THAW_NODE_TOKEN");
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen must be HOST:PORT, got '" + listen + "'");
        }
        InetSocketAddress address = new InetSocketAddress(listen.substring(0, colon),
                Integer.parseInt(listen.substring(colon + 1)));
        GatewayConfig config = GatewayConfig.of(address, apiToken, nodeToken).withPolicy(policy)
                .withBodyLimit(bodyLimitMib << 20).withLivenessTimeout(Duration.ofMillis(livenessMs));
        var store = s3.external();
        Gateway gateway = Gateway.start(store == null ? config : config.withS3(store));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }));
        System.out.println("thaw-gateway listening on " + gateway.url() + " (" + policy.label() + " placement"
                + (store == null ? ", no store" : ", store " + store.describe()) + ")");
        stopped.await();
        return 0;
    }

    static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("$" + name + " must hold the token");
        }
        return value;
    }
}
