package dev.thaw.wire.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.thaw.api.ExampleRequest;
import dev.thaw.api.Json;
import dev.thaw.api.MachineShape;
import dev.thaw.wire.v1.extender.ExtenderApi;
import dev.thaw.wire.v1.gateway.GatewayApi;
import dev.thaw.wire.v1.node.NodeApi;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenApiDocumentsTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private static List<ApiRoute> routes(String api) {
        return switch (api) {
            case "node" -> NodeApi.ROUTES;
            case "gateway" -> GatewayApi.ROUTES;
            case "extender" -> ExtenderApi.ROUTES;
            default -> throw new IllegalArgumentException(api);
        };
    }

    private static String resource(String api) {
        return switch (api) {
            case "node" -> NodeApi.OPENAPI;
            case "gateway" -> GatewayApi.OPENAPI;
            case "extender" -> ExtenderApi.OPENAPI;
            default -> throw new IllegalArgumentException(api);
        };
    }

    static JsonNode document(String api) throws IOException {
        try (InputStream in = OpenApiDocumentsTest.class.getResourceAsStream(resource(api))) {
            assertThat(in).as(resource(api)).isNotNull();
            return new YAMLMapper().readTree(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"node", "gateway", "extender"})
    void pathsAndMethodsAreExactlyTheRouteList(String api) throws IOException {
        JsonNode doc = document(api);
        assertThat(doc.get("openapi").asText()).startsWith("3.0.");
        Set<String> documented = new TreeSet<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        Set<String> listed = new TreeSet<>();
        routes(api).forEach(r -> listed.add(r.toString()));
        assertThat(listed).as("no route listed twice").hasSameSizeAs(routes(api));
        assertThat(documented).isEqualTo(listed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"node", "gateway", "extender"})
    void everyReferenceResolvesAndEveryPathVariableIsDeclared(String api) throws IOException {
        JsonNode doc = document(api);
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).as("local references only").startsWith("#/");
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(api + ": " + ref).isFalse();
        }
        for (ApiRoute route : routes(api)) {
            JsonNode item = doc.get("paths").get(route.pathTemplate());
            List<String> declared = new ArrayList<>();
            List<JsonNode> parameters = new ArrayList<>();
            item.path("parameters").forEach(parameters::add);
            item.path(route.method().toLowerCase(Locale.ROOT)).path("parameters").forEach(parameters::add);
            for (JsonNode p : parameters) {
                JsonNode resolved = p.has("$ref") ? doc.at(p.get("$ref").asText().substring(1)) : p;
                if (resolved.path("in").asText().equals("path")) {
                    declared.add(resolved.get("name").asText());
                }
            }
            List<String> variables = route.segments().stream().filter(s -> s.startsWith("{"))
                    .map(s -> s.substring(1, s.length() - 1)).toList();
            assertThat(declared).as(route.toString()).containsExactlyInAnyOrderElementsOf(variables);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"node", "gateway", "extender"})
    void errorsAreErrorBodiesAndSecurityIsBearer(String api) throws IOException {
        JsonNode doc = document(api);
        JsonNode error = doc.at("/components/schemas/ErrorBody");
        assertThat(error.at("/properties").properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("error", "message");
        assertThat(doc.at("/components/responses/Error/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/ErrorBody");
        doc.at("/components/securitySchemes").forEach(s -> assertThat(s.get("scheme").asText()).isEqualTo("bearer"));
    }

    @Test
    void recordSchemasNameExactlyTheRecordsJsonFields() throws IOException {
        int checked = 0;
        for (String api : List.of("node", "gateway", "extender")) {
            JsonNode schemas = document(api).at("/components/schemas");
            for (Record sample : withSharedRecords()) {
                JsonNode schema = schemas.get(sample.getClass().getSimpleName());
                if (schema == null) {
                    continue;
                }
                Set<String> fields = new TreeSet<>();
                Json.mapper().valueToTree(sample).fieldNames().forEachRemaining(fields::add);
                Set<String> properties = new TreeSet<>();
                schema.get("properties").fieldNames().forEachRemaining(properties::add);
                assertThat(properties).as(api + ": " + sample.getClass().getSimpleName()).isEqualTo(fields);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(32);
    }

    /**
     * The wire's records, and the manifest records of thaw-api it carries ({@code MachineShape},
     * {@code ExampleRequest}): a renamed field there changes the protocol too, and fails here.
     */
    private static List<Record> withSharedRecords() {
        List<Record> all = new ArrayList<>(WireSamples.all());
        all.add(new MachineShape(512, 2));
        all.add(new ExampleRequest(new byte[] {1, 2}, "application/octet-stream"));
        return all;
    }

    @Test
    void theNodeStatusIsDescribedAlikeByTheNodeAndTheGateway() throws IOException {
        JsonNode node = document("node").at("/components/schemas");
        JsonNode gateway = document("gateway").at("/components/schemas");
        for (String name : List.of("NodeStatus", "InstanceView", "StartReport", "CacheUsage", "CachedEntry",
                "PresentRevision", "StatusCounters", "ProcessStats", "ConfinementReport", "ErrorBody")) {
            assertThat(gateway.get(name)).as(name).isEqualTo(node.get(name));
        }
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    refs.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }
}
