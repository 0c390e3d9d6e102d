package dev.thaw.wire.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WireRecordsTest {

    @Test
    void everyRecordRoundTripsThroughTheProjectsMapper() throws Exception {
        for (Record sample : WireSamples.all()) {
            byte[] json = Json.mapper().writeValueAsBytes(sample);
            Object back = Json.mapper().readValue(json, sample.getClass());
            assertThat(back).as(sample.getClass().getSimpleName() + " from " + new String(json)).isEqualTo(sample);
            // And once more: what a peer sends back is what it got.
            assertThat(Json.mapper().writeValueAsString(back)).isEqualTo(new String(json));
        }
    }

    @Test
    void everyRecordOfTheWireHasASample() throws Exception {
        Set<String> sampled = new TreeSet<>();
        WireSamples.all().forEach(r -> sampled.add(r.getClass().getName()));
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(wireRecords());
    }

    @Test
    void samplesSetEveryField() throws Exception {
        for (Record sample : WireSamples.all()) {
            JsonNode tree = Json.mapper().valueToTree(sample);
            assertThat(tree.size()).as(sample.getClass().getSimpleName())
                    .isEqualTo(sample.getClass().getRecordComponents().length);
            tree.properties().forEach(e -> assertThat(e.getValue().isNull())
                    .as(sample.getClass().getSimpleName() + "." + e.getKey()).isFalse());
        }
    }

    @Test
    void theJsonFieldNamesAreTheProtocols() throws Exception {
        // The names peers of other versions read; changing one is a protocol change.
        assertThat(names(new dev.thaw.wire.v1.node.PrefetchResponse(1))).containsExactly("fetched_bytes");
        assertThat(names(dev.thaw.wire.v1.extender.ExtenderArgs.ofNames(Json.mapper().createObjectNode(),
                List.of("n1")))).containsExactlyInAnyOrder("pod", "nodenames");
        assertThat(names(new ErrorBody("e", "m"))).containsExactly("error", "message");
    }

    private static List<String> names(Record r) {
        List<String> names = new java.util.ArrayList<>();
        Json.mapper().valueToTree(r).fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every record compiled into the wire module's packages. */
    static Set<String> wireRecords() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(ErrorBody.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> records = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root.resolve("dev/thaw/wire"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.endsWith("package-info")) {
                    continue;
                }
                if (Class.forName(name).isRecord()) {
                    records.add(name);
                }
            }
        }
        return records;
    }
}
