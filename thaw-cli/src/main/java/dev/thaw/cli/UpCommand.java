package dev.thaw.cli;

import dev.thaw.local.EmbeddedCluster;
import dev.thaw.local.NodeProcess;
import dev.thaw.sandbox.image.ThawHome;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Starts a Thaw cluster on this host: the gateway, N node agents as their own processes (each "
                + "with its own cache directory and budget under $THAW_HOME/cluster), and Thaw's embedded S3 server "
                + "(unless --s3-endpoint is given). Prints the URLs, the admin token and a token of the 'default' "
                + "namespace, and leaves them in "
                + "$THAW_HOME/cluster.json for 'thaw deploy', 'invoke', 'ls' and 'status'. Ctrl-C stops "
                + "everything.")
final class UpCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Mixin
    S3Options s3;

    @Option(names = "--port", defaultValue = "8080", description = "gateway port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Override
    public Integer call() throws Exception {
        ThawHome home = ThawHome.fromEnvironment();
        EmbeddedCluster.Options options = new EmbeddedCluster.Options(cluster.nodes, cluster.policy, cluster.mode,
                cluster.cacheBudgetMib, cluster.memoryMib, cluster.slots, cluster.prestart, port,
                home.root().resolve("cluster"), home, s3.external());
        System.out.printf("starting %d node(s), snapshots %s, %s placement...%n", cluster.nodes,
                cluster.mode.label(), cluster.policy.label());
        EmbeddedCluster running = EmbeddedCluster.start(options);
        // The quick start's users get a token of the default namespace, as any tenant would.
        String defaultToken;
        try {
            defaultToken = new dev.thaw.control.GatewayClient(running.gatewayUrl(), running.apiToken())
                    .issueToken(java.util.List.of(dev.thaw.api.FunctionId.DEFAULT), null, "thaw up: default namespace")
                    .token();
        } catch (Exception e) {
            running.close();
            throw e;
        }
        ClusterFile file = new ClusterFile(running.gatewayUrl(), running.apiToken(), defaultToken);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping the cluster...");
            running.close();
            file.removeIfOurs();
            stopped.countDown();
        }));
        file.write();
        System.out.println("gateway   " + running.gatewayUrl() + "   (OpenAPI: " + running.gatewayUrl()
                .resolve("/openapi.yaml") + ", metrics: " + running.gatewayUrl().resolve("/metrics") + ")");
        for (NodeProcess node : running.nodes()) {
            System.out.println(node.name() + "    " + node.url() + "   (pid " + node.pid() + ", log " + node.log()
                    + ")");
        }
        if (running.s3() != null) {
            System.out.println("s3        " + running.s3().endpoint() + "   (embedded, bucket thaw)");
        }
        System.out.println("admin token    " + running.apiToken());
        System.out.println("default token  " + defaultToken + "   (namespace 'default' only)");
        System.out.println("\nTry: thaw deploy examples/hello && thaw invoke hello --data thaw && thaw status");
        System.out.println("Ctrl-C stops the cluster.");
        stopped.await();
        return 0;
    }
}
