package dev.thaw.k8s.crd;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What one node's snapshot cache holds, for schedulers that prefer nodes with
 * a function's snapshot. Cluster-scoped (it describes a node, and nodes are),
 * named after the Kubernetes node, written only by that node's node agent.
 * The CRD is {@code deploy/base/crd-nodesnapshotcache.yaml}.
 */
@Group(NodeSnapshotCache.GROUP)
@Version(NodeSnapshotCache.VERSION)
@Kind("NodeSnapshotCache")
@Plural("nodesnapshotcaches")
@ShortNames("nsc")
public final class NodeSnapshotCache extends CustomResource<NodeSnapshotCacheSpec, NodeSnapshotCacheStatus> {
    public static final String GROUP = "thaw.dev";
    public static final String VERSION = "v1alpha1";

    /** A new object for {@code nodeName}, without status (the status subresource is written separately). */
    public static NodeSnapshotCache forNode(String nodeName) {
        NodeSnapshotCache object = new NodeSnapshotCache();
        object.setMetadata(new ObjectMetaBuilder().withName(nodeName).build());
        object.setSpec(new NodeSnapshotCacheSpec(nodeName));
        return object;
    }

    // Records have no no-argument constructor for the superclass to call; empty parts stay null.
    @Override
    protected NodeSnapshotCacheSpec initSpec() {
        return null;
    }

    @Override
    protected NodeSnapshotCacheStatus initStatus() {
        return null;
    }
}
