package dev.thaw.k8s.functions;

import dev.thaw.api.FunctionManifests;
import dev.thaw.api.ManifestException;
import dev.thaw.control.functions.Archives;
import dev.thaw.control.registry.ObjectStoreRegistry;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionSpec;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * What {@code thaw deploy --kubernetes-namespace} does: uploads a function directory's code
 * archive to the store, by digest, and writes its ThawFunction (created, or its spec replaced
 * with the {@code resourceVersion} read, so a concurrent change is a conflict rather than lost),
 * with the caller's own Kubernetes credentials and rights. The gateways deploy it from there.
 */
public final class ThawFunctionWriter {
    private final KubernetesClient client;
    private final ObjectStore store;

    public ThawFunctionWriter(KubernetesClient client, ObjectStore store) {
        this.client = client;
        this.store = store;
    }

    /** What was written. */
    public record Written(String namespace, String name, String archive, long generation, boolean created) {
    }

    /**
     * Uploads {@code dir}'s archive and declares it as the function its {@code thaw.yaml} names, in
     * {@code namespace}, with {@code settings} (null fields take the defaults).
     */
    public Written deploy(String namespace, Path dir, ThawFunctionSettings settings)
            throws IOException, ManifestException, StoreException, InvalidFunction {
        String name = FunctionManifests.read(dir).name();
        byte[] archive = Archives.tarGz(dir);
        ThawFunctionSpec spec = new ThawFunctionSpec(null, settings);
        // Checked before anything is uploaded or written, with a placeholder digest.
        Declaration.of(ThawFunction.of(namespace, name, new ThawFunctionSpec(Declaration.archiveRef("0".repeat(64)),
                settings)));
        String digest = new ObjectStoreRegistry(store, InstantSource.system()).putArchive(archive);
        spec = new ThawFunctionSpec(Declaration.archiveRef(digest), spec.settings());
        return write(namespace, name, spec);
    }

    Written write(String namespace, String name, ThawFunctionSpec spec) throws StoreException {
        var resources = client.resources(ThawFunction.class).inNamespace(namespace);
        String id = "thawfunction " + namespace + "/" + name;
        try {
            ThawFunction current = resources.withName(name).get();
            ThawFunction written;
            if (current == null) {
                written = resources.resource(ThawFunction.of(namespace, name, spec)).create();
            } else {
                current.setSpec(spec);
                current.setStatus(null);
                written = resources.resource(current).update();
            }
            return new Written(namespace, name, spec.archive(), ThawFunctionRegistry.generation(written),
                    current == null);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new StoreException(id + " changed while it was written; run the deploy again");
            }
            if (e.getCode() == 403) {
                throw new StoreException("Kubernetes refused to write " + id + ": " + e.getMessage() + "; your"
                        + " account needs the thaw-function-editor role in namespace " + namespace, e);
            }
            throw new StoreException("cannot write " + id + ": " + e.getMessage(), e);
        }
    }
}
