package dev.thaw.k8s.extender;

import dev.thaw.control.extender.CacheView;
import dev.thaw.control.extender.InMemoryCacheView;
import dev.thaw.control.extender.NodeCacheState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node states kept from NodeSnapshotCache events: each event replaces that node's
 * entry. An object whose status cannot be read counts as "no state" (never
 * filtered, scored as an idle non-holder) and is logged once until it becomes
 * readable again.
 */
final class NodeSnapshotCacheStates implements CacheView, ResourceEventHandler<GenericKubernetesResource> {
    private static final Logger LOG = System.getLogger(NodeSnapshotCacheStates.class.getName());

    private final InMemoryCacheView states = new InMemoryCacheView();
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    @Override
    public Optional<NodeCacheState> node(String nodeName) {
        return states.node(nodeName);
    }

    int size() {
        return states.size();
    }

    @Override
    public void onAdd(GenericKubernetesResource resource) {
        apply(resource);
    }

    @Override
    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
        apply(after);
    }

    @Override
    public void onDelete(GenericKubernetesResource resource, boolean finalStateUnknown) {
        String name = resource.getMetadata().getName();
        states.remove(name);
        unreadable.remove(name);
    }

    private void apply(GenericKubernetesResource resource) {
        String name = resource.getMetadata().getName();
        try {
            Optional<NodeCacheState> state = NodeSnapshotCacheStatus.read(resource);
            state.ifPresentOrElse(s -> states.put(name, s), () -> states.remove(name));
            unreadable.remove(name);
        } catch (IllegalArgumentException | ArithmeticException e) {
            states.remove(name);
            if (unreadable.add(name)) {
                LOG.log(Level.WARNING, "NodeSnapshotCache " + name + " has an unreadable status (" + e.getMessage()
                        + "); scheduling treats node " + name + " as unknown until it is rewritten");
            }
        }
    }
}
