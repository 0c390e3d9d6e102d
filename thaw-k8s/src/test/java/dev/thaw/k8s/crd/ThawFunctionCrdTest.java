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
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written ThawFunction CRD says what the Java classes say, and validates what it can. */
class ThawFunctionCrdTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final Path CRD = Path.of("..", "deploy", "base", "crd-thawfunction.yaml");

    private static CustomResourceDefinition crd() throws IOException {
        try (InputStream in = Files.newInputStream(CRD)) {
            return SERIALIZATION.unmarshal(in, CustomResourceDefinition.class);
        }
    }

    @Test
    void namesAndScopeMatchTheClass() throws IOException {
        CustomResourceDefinition crd = crd();

        assertThat(crd.getMetadata().getName()).isEqualTo(CustomResource.getCRDName(ThawFunction.class));
        assertThat(crd.getSpec().getGroup()).isEqualTo(HasMetadata.getGroup(ThawFunction.class)).isEqualTo("thaw.dev");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(HasMetadata.getKind(ThawFunction.class));
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(HasMetadata.getPlural(ThawFunction.class));
        assertThat(crd.getSpec().getNames().getShortNames())
                .containsExactly(CustomResource.getShortNames(ThawFunction.class));
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced").isEqualTo(new ThawFunction().getScope());
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName)
                .containsExactly(HasMetadata.getVersion(ThawFunction.class));
    }

    @Test
    void theSchemaHasEveryFieldOfTheModelAndTheStatusSubresource() throws IOException {
        CustomResourceDefinitionVersion version = crd().getSpec().getVersions().getFirst();
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        JSONSchemaProps spec = root.getProperties().get("spec");
        JSONSchemaProps status = root.getProperties().get("status");

        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(spec.getProperties()).containsOnlyKeys(fields(ThawFunctionSpec.class));
        assertThat(spec.getRequired()).containsExactly("archive");
        assertThat(spec.getProperties().get("settings").getProperties())
                .containsOnlyKeys(fields(ThawFunctionSettings.class));
        assertThat(status.getProperties()).containsOnlyKeys(fields(ThawFunctionStatus.class));
        assertThat(status.getProperties().get("conditions").getItems().getSchema().getProperties())
                .containsOnlyKeys(fields(FunctionCondition.class));
        assertThat(status.getProperties().get("gateways").getItems().getSchema().getProperties())
                .containsOnlyKeys(fields(GatewayReport.class));
        assertThat(status.getProperties().get("served").getProperties()).containsOnlyKeys(fields(ServedRevision.class));
        assertThat(status.getProperties().get("served").getProperties().get("settings").getProperties())
                .containsOnlyKeys(fields(ThawFunctionSettings.class));
        assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getJsonPath()).contains(
                ".status.revision", ".status.instances");
    }

    @Test
    void theSchemaBoundsSettingsAsTheGatewayDoesAndPinsTheDigestForm() throws IOException {
        JSONSchemaProps spec = crd().getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema()
                .getProperties().get("spec");
        var settings = spec.getProperties().get("settings").getProperties();
        Pattern pattern = Pattern.compile(spec.getProperties().get("archive").getPattern());

        assertThat(pattern.matcher("sha256:" + "ab".repeat(32)).find()).isTrue();
        assertThat(pattern.matcher("sha256:" + "AB".repeat(32)).find()).isFalse();
        assertThat(pattern.matcher("sha256:abc").find()).isFalse();
        assertBounds(settings.get("concurrency"), 1, 1000);
        assertBounds(settings.get("maxInstances"), 1, 10_000);
        assertBounds(settings.get("keepAliveMs"), 0, dev.thaw.control.functions.FunctionSettings.MAX_KEEP_ALIVE_MS);
        assertBounds(settings.get("queueSize"), 0, 1_000_000);
        assertBounds(settings.get("queueTimeoutMs"), 0, dev.thaw.control.functions.FunctionSettings.MAX_QUEUE_TIMEOUT_MS);
        // Each bound is the gateway's own: one past it is refused by FunctionSettings too.
        for (var entry : settings.entrySet()) {
            long over = entry.getValue().getMaximum().longValue() + 1;
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> with(entry.getKey(), over).resolve()))
                    .as(entry.getKey()).isInstanceOf(IllegalArgumentException.class);
            assertThat(with(entry.getKey(), entry.getValue().getMaximum().longValue()).resolve()).isNotNull();
        }
    }

    private static ThawFunctionSettings with(String field, long value) {
        return switch (field) {
            case "concurrency" -> new ThawFunctionSettings((int) value, null, null, null, null);
            case "maxInstances" -> new ThawFunctionSettings(null, (int) value, null, null, null);
            case "keepAliveMs" -> new ThawFunctionSettings(null, null, value, null, null);
            case "queueSize" -> new ThawFunctionSettings(null, null, null, (int) value, null);
            case "queueTimeoutMs" -> new ThawFunctionSettings(null, null, null, null, value);
            default -> throw new IllegalArgumentException(field);
        };
    }

    private static void assertBounds(JSONSchemaProps field, long min, long max) {
        assertThat(field.getMinimum().longValue()).isEqualTo(min);
        assertThat(field.getMaximum().longValue()).isEqualTo(max);
    }

    private static String[] fields(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toArray(String[]::new);
    }
}
