package dev.thaw.k8s.sync;

import dev.thaw.node.service.NodeArguments;
import dev.thaw.node.service.NodeServer;
import dev.thaw.node.service.NodeService;
import dev.thaw.node.service.NodeServiceConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * A node agent on Kubernetes: the node's API server plus a {@link NodeCacheSync}
 * that advertises its cache in the node's NodeSnapshotCache object. Owns the
 * node server and the sync, not the Kubernetes client.
 */
public final class KubernetesNodeAgent implements AutoCloseable {
    private final NodeServer server;
    private final NodeCacheSync sync;

    private KubernetesNodeAgent(NodeServer server, NodeCacheSync sync) {
        this.server = server;
        this.sync = sync;
    }

    /** Starts a node on {@code service} (owned from now on) and its sync. */
    public static KubernetesNodeAgent start(NodeService service, KubernetesClient client, String kubernetesNode,
            SyncSettings settings) throws IOException {
        NodeServer server = NodeServer.start(service); // closes the service if it cannot start
        try {
            return new KubernetesNodeAgent(server,
                    NodeCacheSync.start(client, kubernetesNode, new NodeServerSource(server), settings));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public URI url() {
        return server.url();
    }

    public NodeCacheSync sync() {
        return sync;
    }

    /** Stops advertising first, so the object is not rewritten while instances stop. */
    @Override
    public void close() {
        try {
            sync.close();
        } finally {
            server.close();
        }
    }

    /**
     * {@code thaw-node} options plus {@code --kubernetes-*}; exits 2 on bad arguments,
     * 1 if the node cannot start. SIGTERM stops the sync, then the node.
     */
    public static void main(String[] args) {
        if (NodeArguments.wantsHelp(args)) {
            System.out.print(KubernetesOptions.usage());
            return;
        }
        KubernetesOptions.Parsed options;
        NodeServiceConfig config;
        try {
            options = KubernetesOptions.parse(args, System.getenv());
            config = options.node();
        } catch (IllegalArgumentException e) {
            System.err.println("thaw-node: " + e.getMessage());
            System.exit(2);
            return;
        }
        // The sync retries with its own backoff; the client's retries would only hide outages from it.
        Config clientConfig = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(0).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build();
        KubernetesNodeAgent agent;
        try {
            agent = start(NodeService.open(config), client, options.kubernetesNode(), options.sync());
        } catch (IOException | RuntimeException e) {
            client.close();
            System.err.println("thaw-node: node " + config.name() + " could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.close();
                client.close();
            } finally {
                stopped.countDown();
            }
        }, "thaw-node-shutdown"));
        System.out.println("thaw-node " + config.name() + " listening on " + agent.url()
                + ", advertising its cache as NodeSnapshotCache " + options.kubernetesNode());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
