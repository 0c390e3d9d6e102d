package dev.thaw.cli;

import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.functions.ThawFunctionWriter;
import dev.thaw.snapshot.store.S3ObjectStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code thaw deploy --kubernetes-namespace NS}: the function as a ThawFunction instead of through a gateway. */
final class KubernetesDeploy {
    @Option(names = "--kubernetes-namespace", paramLabel = "NS",
            description = "deploy on Kubernetes: upload the code archive to the store (--s3-endpoint, credentials in"
                    + " $THAW_S3_ACCESS_KEY and $THAW_S3_SECRET_KEY) and write the function's ThawFunction in namespace"
                    + " NS with the kubeconfig's credentials; the gateways deploy it and report on its status"
                    + " ('kubectl get thawfunctions -n NS')")
    String namespace;

    @Mixin
    S3Options s3;

    int deploy(Path dir, ThawFunctionSettings settings) throws Exception {
        var config = s3.external();
        if (config == null) {
            throw new IllegalArgumentException("--kubernetes-namespace needs the store the gateways use"
                    + " (--s3-endpoint): the ThawFunction names its code archive there");
        }
        try (S3ObjectStore store = new S3ObjectStore(config);
                KubernetesClient client = new KubernetesClientBuilder().build()) {
            ThawFunctionWriter.Written written = new ThawFunctionWriter(client, store).deploy(namespace,
                    dir.toAbsolutePath(), settings);
            System.out.printf("%s thawfunction %s/%s generation %d (archive %s); 'kubectl get thawfunction %s -n %s'"
                    + " shows when it is Ready%n", written.created() ? "created" : "updated", written.namespace(),
                    written.name(), written.generation(), written.archive(), written.name(), written.namespace());
        }
        return 0;
    }
}
