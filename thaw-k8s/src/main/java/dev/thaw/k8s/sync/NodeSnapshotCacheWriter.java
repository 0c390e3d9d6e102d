package dev.thaw.k8s.sync;

import dev.thaw.k8s.crd.NodeSnapshotCache;
import dev.thaw.k8s.crd.NodeSnapshotCacheSpec;
import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.EditReplacePatchable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's {@link NodeSnapshotCache} object on the API server: reads it back,
 * creates it, and overwrites its spec or status. Objects are handled as generic
 * JSON so one edited into nonsense can still be read, reported and overwritten.
 * Writes are patches without a resource version: the node agent is the only
 * writer, and its state always wins. Never deletes anything.
 */
final class NodeSnapshotCacheWriter {
    static final ResourceDefinitionContext CONTEXT = ResourceDefinitionContext.fromResourceType(NodeSnapshotCache.class);

    /** What the API server holds for the node. */
    sealed interface Existing {
        /** No object: never created, or deleted. */
        record Absent() implements Existing {}

        /** An object this version understands; its status may be null (never written). */
        record Readable(NodeSnapshotCache object) implements Existing {}

        /** An object that does not parse or describes another node. */
        record Malformed(String problem) implements Existing {}
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final AtomicLong writes = new AtomicLong();

    NodeSnapshotCacheWriter(KubernetesClient client, String nodeName) {
        this.client = client;
        this.nodeName = nodeName;
    }

    Existing read() {
        GenericKubernetesResource generic = resource().get();
        if (generic == null) {
            return new Existing.Absent();
        }
        NodeSnapshotCache object;
        try {
            object = client.getKubernetesSerialization().convertValue(generic, NodeSnapshotCache.class);
        } catch (RuntimeException e) {
            return new Existing.Malformed("content that does not parse (" + firstLine(e.getMessage()) + ")");
        }
        if (object.getSpec() == null || !nodeName.equals(object.getSpec().nodeName())) {
            return new Existing.Malformed("spec.nodeName "
                    + (object.getSpec() == null ? "missing" : "'" + object.getSpec().nodeName() + "'")
                    + " instead of '" + nodeName + "'");
        }
        return new Existing.Readable(object);
    }

    /** Creates the object without status; one that appeared meanwhile is taken as it is. */
    void create() {
        GenericKubernetesResource generic = client.getKubernetesSerialization()
                .convertValue(NodeSnapshotCache.forNode(nodeName), GenericKubernetesResource.class);
        try {
            client.genericKubernetesResources(CONTEXT).resource(generic).create();
            writes.incrementAndGet();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    void writeSpec() {
        replace(resource(), "/spec", new NodeSnapshotCacheSpec(nodeName));
    }

    /**
     * Replaces the whole status with {@code status}.
     *
     * @return false if the object does not exist
     */
    boolean writeStatus(NodeSnapshotCacheStatus status) {
        try {
            replace(resource().status(), "/status", status);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** Successful creates and patches so far. */
    long writes() {
        return writes.get();
    }

    /**
     * A JSON patch {@code add} of a top-level field, which replaces it whole whatever it held.
     * (A merge patch would merge into a status edited into an object of another shape.)
     */
    private void replace(EditReplacePatchable<GenericKubernetesResource> target, String path, Object value) {
        String patch = client.getKubernetesSerialization()
                .asJson(List.of(Map.of("op", "add", "path", path, "value", value)));
        target.patch(PatchContext.of(PatchType.JSON), patch);
        writes.incrementAndGet();
    }

    private Resource<GenericKubernetesResource> resource() {
        return client.genericKubernetesResources(CONTEXT).withName(nodeName);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
