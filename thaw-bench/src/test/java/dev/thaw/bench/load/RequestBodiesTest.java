package dev.thaw.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.ExampleRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestBodiesTest {
    private static final List<String> FUNCTIONS = List.of("hello", "json-transform", "thumbnail");
    private static final Map<String, ExampleRequest> EXAMPLES = Map.of(
            "hello", new ExampleRequest("thaw".getBytes(UTF_8), "text/plain; charset=utf-8"),
            "json-transform", new ExampleRequest("[]".getBytes(UTF_8), "application/json"));
    private static final long LIMIT = 1000;

    @TempDir
    Path dir;
    private Path payloads;

    @BeforeEach
    void files() throws Exception {
        payloads = Files.createDirectories(dir.resolve("payloads"));
        Files.writeString(dir.resolve("orders.json"), "[{\"a\":1}]");
        Files.writeString(dir.resolve("note.txt"), "note");
        Files.write(dir.resolve("raw"), new byte[] {1, 2, 3});
    }

    private RequestBodies.Choice choose(String body, List<String> files, boolean payloadsRequired,
            String contentType) {
        return RequestBodies.choose(RequestBodies.Options.parse(body, files, payloads, payloadsRequired, contentType),
                FUNCTIONS, EXAMPLES, LIMIT);
    }

    private static String text(RequestBody body) {
        return new String(body.bytes(), UTF_8);
    }

    @Test
    void withNothingGivenExamplesApplyAndOthersGetAnEmptyBody() {
        RequestBodies.Choice c = choose(null, List.of(), false, null);
        assertThat(text(c.of("hello"))).isEqualTo("thaw");
        assertThat(c.of("hello").source()).isEqualTo("example_request");
        assertThat(c.of("json-transform").contentType()).isEqualTo("application/json");
        assertThat(c.of("thumbnail").bytes()).isEmpty();
        assertThat(c.of("thumbnail").contentType()).isEqualTo("application/octet-stream");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void mostSpecificFirstPerFunctionThenAllThenPayloadsThenExamples() throws Exception {
        Files.writeString(payloads.resolve("thumbnail.bin"), "from payloads");
        Files.writeString(payloads.resolve("hello.json"), "{\"from\":\"payloads\"}");
        RequestBodies.Choice payloadsOnly = choose(null, List.of(), false, null);
        assertThat(text(payloadsOnly.of("hello"))).isEqualTo("{\"from\":\"payloads\"}");
        assertThat(payloadsOnly.of("hello").contentType()).isEqualTo("application/json");
        assertThat(payloadsOnly.of("thumbnail").contentType()).isEqualTo("application/octet-stream");
        assertThat(text(payloadsOnly.of("json-transform"))).isEqualTo("[]");

        RequestBodies.Choice all = choose("everyone", List.of("hello=" + dir.resolve("orders.json")), false, null);
        assertThat(text(all.of("hello"))).isEqualTo("[{\"a\":1}]");
        assertThat(all.of("hello").contentType()).isEqualTo("application/json");
        assertThat(text(all.of("json-transform"))).isEqualTo("everyone");
        assertThat(all.of("json-transform").contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(text(all.of("thumbnail"))).isEqualTo("everyone");

        RequestBodies.Choice file = choose(null, List.of(dir.resolve("note.txt").toString()), false, null);
        assertThat(FUNCTIONS).allSatisfy(f -> assertThat(text(file.of(f))).isEqualTo("note"));
        assertThat(file.of("hello").contentType()).isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    void contentTypeReplacesTheTypeOfGivenBodiesButNotOfExamples() {
        RequestBodies.Choice c = choose(null, List.of("thumbnail=" + dir.resolve("raw")), false, "image/png");
        assertThat(c.of("thumbnail").contentType()).isEqualTo("image/png");
        assertThat(c.of("hello").contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(choose("x", List.of(), false, "application/json").of("hello").contentType())
                .isEqualTo("application/json");
    }

    @Test
    void payloadFilesForOtherFunctionsAreReportedNotSent() throws Exception {
        Files.writeString(payloads.resolve("gone.json"), "{}");
        Files.writeString(payloads.resolve(".hidden.json"), "{}");
        RequestBodies.Choice c = choose(null, List.of(), false, null);
        assertThat(c.warnings()).singleElement().asString().contains("gone.json", "no function 'gone'");
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsSent() throws Exception {
        assertThatThrownBy(() -> choose(null, List.of(dir.resolve("missing.json").toString()), false, null))
                .isInstanceOf(RequestBodies.BadInput.class).hasMessageContaining("missing.json: no such file");
        assertThatThrownBy(() -> choose(null, List.of("hello=" + dir.resolve("missing.bin")), false, null))
                .hasMessage("--body-file hello=" + dir.resolve("missing.bin") + ": no such file");
        assertThatThrownBy(() -> choose(null, List.of("nope=" + dir.resolve("note.txt")), false, null))
                .hasMessageContaining("function 'nope' is not deployed")
                .hasMessageContaining("hello, json-transform, thumbnail");
        assertThatThrownBy(() -> choose(null, List.of("hello="), false, null)).hasMessageContaining("no file");
        assertThatThrownBy(() -> choose("a", List.of(dir.resolve("note.txt").toString()), false, null))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> choose(null, List.of(dir.resolve("note.txt").toString(),
                dir.resolve("raw").toString()), false, null)).hasMessageContaining("given twice");
        assertThatThrownBy(() -> choose(null, List.of(dir.toString()), false, null))
                .hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> choose("x", List.of(), false, "json")).hasMessageContaining("--content-type");
        payloads = dir.resolve("nowhere");
        assertThat(choose(null, List.of(), false, null).of("hello").source()).isEqualTo("example_request");
        assertThatThrownBy(() -> choose(null, List.of(), true, null)).hasMessageContaining("no such directory");
    }

    @Test
    void bodiesOverTheGatewaysLimitAreRefused() throws Exception {
        Files.write(dir.resolve("big.bin"), new byte[(int) LIMIT + 1]);
        assertThatThrownBy(() -> choose(null, List.of("hello=" + dir.resolve("big.bin")), false, null))
                .hasMessage("--body-file hello=" + dir.resolve("big.bin") + " is 1001 bytes, over the gateway's "
                        + "body limit of 1000 bytes: the gateway would answer 413");
        assertThatThrownBy(() -> choose("x".repeat(1001), List.of(), false, null))
                .hasMessageContaining("--body is 1001 bytes");
        Files.write(payloads.resolve("thumbnail.bin"), new byte[(int) LIMIT + 1]);
        assertThatThrownBy(() -> choose(null, List.of(), false, null)).hasMessageContaining("thumbnail.bin");
        Files.delete(payloads.resolve("thumbnail.bin"));
        Map<String, ExampleRequest> big = Map.of("hello", new ExampleRequest(new byte[2000], "text/plain"));
        assertThatThrownBy(() -> RequestBodies.choose(RequestBodies.Options.none(), FUNCTIONS, big, LIMIT))
                .hasMessageContaining("the example_request of 'hello' is 2000 bytes");
        Files.write(dir.resolve("exact.bin"), new byte[(int) LIMIT]);
        assertThat(choose(null, List.of("hello=" + dir.resolve("exact.bin")), false, null).of("hello").bytes())
                .hasSize((int) LIMIT);
    }

    @Test
    void ambiguousPayloadsAreRefused() throws Exception {
        Files.writeString(payloads.resolve("hello.json"), "{}");
        Files.writeString(payloads.resolve("hello.bin"), "x");
        assertThatThrownBy(() -> choose(null, List.of(), false, null)).hasMessageContaining("ambiguous")
                .hasMessageContaining("hello.json").hasMessageContaining("hello.bin");
    }

    @Test
    void aFileNamedWithAnEqualsSignIsReachableWithAPath() throws Exception {
        Files.writeString(dir.resolve("a=b.txt"), "odd");
        RequestBodies.Options o = RequestBodies.Options.parse(null, List.of(dir.resolve("a=b.txt").toString()),
                null, false, null);
        assertThat(o.bodyFile()).isEqualTo(dir.resolve("a=b.txt"));
        assertThat(o.perFunction()).isEmpty();
    }
}
