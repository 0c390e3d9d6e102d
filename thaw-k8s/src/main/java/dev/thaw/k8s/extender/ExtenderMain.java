package dev.thaw.k8s.extender;

import dev.thaw.node.service.CommandOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.CountDownLatch;

/**
 * {@code thaw-extender}: serves kube-scheduler's extender calls from an informer on
 * NodeSnapshotCache objects. Finds the cluster as every fabric8 client does:
 * in-cluster service account, else {@code KUBECONFIG} or {@code ~/.kube/config}.
 */
public final class ExtenderMain {
    private ExtenderMain() {
    }

    public static void main(String[] args) throws Exception {
        if (CommandOptions.wantsHelp(args)) {
            System.out.print(ExtenderOptions.usage());
            return;
        }
        ExtenderOptions options;
        try {
            options = ExtenderOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("thaw-extender: " + e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        InformerCacheView view = InformerCacheView.start(client);
        ExtenderServer server = ExtenderServer.start(options.listen(), view, options.policy(), view::hasSynced);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            view.close();
            client.close();
            stopped.countDown();
        }, "thaw-extender-shutdown"));
        System.out.println("thaw-extender listening on " + server.url() + " (policy " + options.policy().label() + ")");
        stopped.await();
    }
}
