package dev.thaw.k8s.extender;

import dev.thaw.control.extender.CacheView;
import dev.thaw.control.extender.NodeCacheState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A {@link CacheView} fed by one informer (list, then watch) on NodeSnapshotCache
 * objects, held in memory ({@link NodeSnapshotCacheStates}) so that scheduling
 * requests never call the API server.
 */
public final class InformerCacheView implements CacheView, AutoCloseable {

    /** {@code nodesnapshotcaches.thaw.dev}, cluster-scoped; one object per node, named after it. */
    public static final ResourceDefinitionContext RESOURCE = new ResourceDefinitionContext.Builder()
            .withGroup("thaw.dev").withVersion("v1alpha1").withKind("NodeSnapshotCache")
            .withPlural("nodesnapshotcaches").withNamespaced(false).build();

    private final NodeSnapshotCacheStates states = new NodeSnapshotCacheStates();
    private final SharedIndexInformer<GenericKubernetesResource> informer;
    private final CompletionStage<Void> synced;

    private InformerCacheView(KubernetesClient client) {
        // No resync: every change arrives as a watch event, and a resync would only replay the same states.
        informer = client.genericKubernetesResources(RESOURCE).runnableInformer(0);
        informer.addEventHandler(states);
        synced = informer.start();
    }

    /** Starts listing and watching; {@link #synced()} completes once the first list is in. */
    public static InformerCacheView start(KubernetesClient client) {
        return new InformerCacheView(client);
    }

    public CompletionStage<Void> synced() {
        return synced;
    }

    public boolean hasSynced() {
        return informer.hasSynced();
    }

    @Override
    public Optional<NodeCacheState> node(String nodeName) {
        return states.node(nodeName);
    }

    /** Nodes with a usable state. */
    public int size() {
        return states.size();
    }

    @Override
    public void close() {
        informer.close();
    }
}
