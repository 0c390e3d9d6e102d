package dev.thaw.k8s.functions;

import dev.thaw.control.Gateway;
import dev.thaw.k8s.crd.NodeSnapshotCache;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A gateway's functions on Kubernetes: {@link #registryFactory} gives the gateway its
 * {@link ThawFunctionRegistry}, and {@link #attach} starts, for that gateway, the controller that
 * deploys what the ThawFunctions declare and the reporter that writes their instances and caching
 * nodes. Owns all three: {@link #close} stops them (after the gateway is closed or before).
 */
public final class KubernetesFunctions implements AutoCloseable {
    /** How often the informer hands every object to the controller again, retrying what failed. */
    static final Duration RESYNC = Duration.ofSeconds(30);
    static final Duration REPORT_PERIOD = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final String namespace;
    private ThawFunctionRegistry registry;
    private ThawFunctionController controller;
    private SharedIndexInformer<NodeSnapshotCache> caches;
    private ScheduledExecutorService reports;

    /** Functions of Kubernetes namespace {@code namespace} (their Thaw namespace). */
    public KubernetesFunctions(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Opens the registry, in the store the gateway uses for archives; refuses a gateway without one. */
    public Gateway.RegistryFactory registryFactory() {
        return store -> {
            if (store == null) {
                throw new IOException("functions on Kubernetes keep their code archives in the store: give the"
                        + " gateway one (--s3-endpoint)");
            }
            registry = new ThawFunctionRegistry(client, namespace, store, InstantSource.system(), RESYNC);
            return registry;
        };
    }

    /**
     * Starts deploying what the ThawFunctions declare through {@code gateway}, and reporting on them as
     * replica {@code replica}.
     */
    public KubernetesFunctions attach(Gateway gateway, String replica) {
        if (registry == null) {
            throw new IllegalStateException("the gateway was not started with registryFactory()");
        }
        long maxExtracted = Math.max(gateway.config().bodyLimitBytes() * 16, 64L << 20);
        controller = new ThawFunctionController(registry, gateway.deployer(), gateway.functions(),
                gateway.config().home(), maxExtracted).start();
        caches = client.resources(NodeSnapshotCache.class).inform();
        ThawFunctionReporter reporter = new ThawFunctionReporter(registry, replica,
                name -> gateway.routers().find(name).map(r -> r.instances()).orElse(0),
                () -> caches.getStore().list(), REPORT_PERIOD);
        reports = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("thawfunction-reports")
                .daemon().factory());
        reports.scheduleWithFixedDelay(reporter::report, REPORT_PERIOD.toMillis(), REPORT_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    public ThawFunctionRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (reports != null) {
            reports.shutdownNow();
        }
        if (controller != null) {
            controller.close();
        }
        if (caches != null) {
            caches.close();
        }
        if (registry != null) {
            registry.close();
        }
    }
}
