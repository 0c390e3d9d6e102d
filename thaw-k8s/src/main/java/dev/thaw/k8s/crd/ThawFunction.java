package dev.thaw.k8s.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A function declared on Kubernetes: its code archive (by SHA-256 digest in Thaw's store) and
 * its settings. Namespaced: the Kubernetes namespace of the object is the function's Thaw
 * namespace, so the namespace's users manage its functions with Kubernetes RBAC. Users write
 * the spec ({@code kubectl apply}, {@code thaw deploy --kubernetes-namespace}); gateways only
 * read it and write the status. The CRD is {@code deploy/base/crd-thawfunction.yaml}.
 */
@Group(NodeSnapshotCache.GROUP)
@Version(NodeSnapshotCache.VERSION)
@Kind("ThawFunction")
@Plural("thawfunctions")
@ShortNames("tfn")
public final class ThawFunction extends CustomResource<ThawFunctionSpec, ThawFunctionStatus> implements Namespaced {

    /** A new object {@code namespace/name} with {@code spec}, without status. */
    public static ThawFunction of(String namespace, String name, ThawFunctionSpec spec) {
        ThawFunction object = new ThawFunction();
        object.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        object.setSpec(spec);
        return object;
    }

    @Override
    protected ThawFunctionSpec initSpec() {
        return null;
    }

    @Override
    protected ThawFunctionStatus initStatus() {
        return null;
    }
}
