package dev.thaw.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The hand-written CRD says what the Java class says. */
class CrdYamlTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final Path CRD = Path.of("..", "deploy", "base", "crd-nodesnapshotcache.yaml");

    private static CustomResourceDefinition crd() throws IOException {
        try (InputStream in = Files.newInputStream(CRD)) {
            return SERIALIZATION.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    @Test
    void namesAndScopeMatchTheClass() throws IOException {
        CustomResourceDefinition crd = crd();

        assertThat(crd.getMetadata().getName()).isEqualTo(CustomResource.getCRDName(NodeSnapshotCache.class));
        assertThat(crd.getSpec().getGroup()).isEqualTo(HasMetadata.getGroup(NodeSnapshotCache.class));
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(HasMetadata.getKind(NodeSnapshotCache.class));
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(HasMetadata.getPlural(NodeSnapshotCache.class));
        assertThat(crd.getSpec().getNames().getShortNames())
                .containsExactly(CustomResource.getShortNames(NodeSnapshotCache.class));
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster").isEqualTo(new NodeSnapshotCache().getScope());
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName)
                .containsExactly(HasMetadata.getVersion(NodeSnapshotCache.class));
    }

    @Test
    void theSchemaHasEveryStatusFieldAndTheStatusSubresource() throws IOException {
        CustomResourceDefinitionVersion version = crd().getSpec().getVersions().getFirst();
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        JSONSchemaProps status = root.getProperties().get("status");
        JSONSchemaProps revisions = status.getProperties().get("revisions");

        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(root.getProperties().get("spec").getProperties()).containsOnlyKeys(fields(NodeSnapshotCacheSpec.class));
        assertThat(status.getProperties()).containsOnlyKeys(fields(NodeSnapshotCacheStatus.class));
        assertThat(revisions.getItems().getSchema().getProperties()).containsOnlyKeys(fields(CachedRevision.class));
        assertThat(revisions.getMaxItems()).isEqualTo(NodeSnapshotCacheStatus.MAX_REVISIONS);
        assertThat(status.getProperties().get("truncated").getType()).isEqualTo("boolean");
        assertThat(status.getProperties().get("usedBytes").getType()).isEqualTo("integer");
        assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getJsonPath())
                .containsExactly(".status.usedBytes", ".status.revisionCount", ".status.truncated",
                        ".metadata.creationTimestamp");
    }

    private static String[] fields(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toArray(String[]::new);
    }
}
