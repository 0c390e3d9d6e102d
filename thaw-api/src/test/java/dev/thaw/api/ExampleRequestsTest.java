package dev.thaw.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleRequestsTest {
    private static final String HEAD = """
            name: hello
            runtime: python3
            handler: main:handle
            """;

    @TempDir
    Path dir;

    private Optional<ExampleRequest> example(String yaml) throws IOException, ManifestException {
        Files.writeString(dir.resolve("thaw.yaml"), HEAD + yaml);
        Files.writeString(dir.resolve("main.py"), "def handle(body):\n    return body\n");
        return FunctionManifests.exampleRequest(dir);
    }

    private void assertFails(String yaml, String... fragments) {
        assertThatThrownBy(() -> example(yaml)).isInstanceOf(ManifestException.class)
                .hasMessageStartingWith(dir.resolve("thaw.yaml") + ": ")
                .hasMessageContainingAll(fragments);
    }

    @Test
    void noneWhenTheManifestHasNone() throws Exception {
        assertThat(example("")).isEmpty();
    }

    @Test
    void aStringIsTheBodySentAsText() throws Exception {
        assertThat(example("example_request: thaw\n"))
                .contains(new ExampleRequest("thaw".getBytes(UTF_8), ContentTypes.TEXT));
    }

    @Test
    void aMappingOrListBodyIsSentAsJson() throws Exception {
        ExampleRequest e = example("""
                example_request:
                  body:
                    - {customer: ada, price: "1.50", qty: 2}
                """).orElseThrow();
        assertThat(e.contentType()).isEqualTo("application/json");
        assertThat(new String(e.body(), UTF_8)).isEqualTo("[{\"customer\":\"ada\",\"price\":\"1.50\",\"qty\":2}]");
    }

    @Test
    void aTextBodyKeepsADeclaredContentType() throws Exception {
        ExampleRequest e = example("""
                example_request:
                  body: '{"n": 1}'
                  content_type: application/json
                """).orElseThrow();
        assertThat(new String(e.body(), UTF_8)).isEqualTo("{\"n\": 1}");
        assertThat(e.contentType()).isEqualTo("application/json");
    }

    @Test
    void aFileIsReadAndTypedByItsExtensionUnlessATypeIsGiven() throws Exception {
        Files.createDirectories(dir.resolve("samples"));
        Files.write(dir.resolve("samples/in.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(example("example_request: {file: samples/in.png}\n").orElseThrow())
                .isEqualTo(new ExampleRequest(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, "image/png"));
        assertThat(example("example_request: {file: samples/in.png, content_type: application/x-raw}\n")
                .orElseThrow().contentType()).isEqualTo("application/x-raw");
    }

    @Test
    void mistakesNameTheFieldAndWhatIsWrong() throws Exception {
        assertFails("example_request: {body: a, file: b.json}\n", "example_request", "exactly one of 'body'");
        assertFails("example_request: {}\n", "exactly one of 'body'");
        assertFails("example_request: {bdy: a}\n", "unknown key 'bdy'");
        assertFails("example_request: [a]\n", "expected a string (the body) or a mapping");
        assertFails("example_request: {body: 42}\n", "'body'", "quote scalars");
        assertFails("example_request: {body: a, content_type: json}\n", "'content_type'", "type/subtype");
        assertFails("example_request: {file: missing.json}\n", "file 'missing.json' does not exist");
        assertFails("example_request: {file: ../outside.json}\n", "must be a path inside the function directory");
        assertFails("example_request: {file: /etc/hostname}\n", "must be a path inside the function directory");
        Files.createDirectories(dir.resolve("sub"));
        assertFails("example_request: {file: sub}\n", "is not a regular file");
    }

    @Test
    void aSymbolicLinkOutOfTheDirectoryIsRefused() throws Exception {
        Path outside = Files.createTempFile("thaw-outside", ".json");
        try {
            Files.createSymbolicLink(dir.resolve("link.json"), outside);
            assertFails("example_request: {file: link.json}\n", "leads outside the function directory");
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void aBrokenExampleFailsReadingTheManifestSoDeploysFail() throws Exception {
        Files.writeString(dir.resolve("thaw.yaml"), HEAD + "example_request: {file: gone.bin}\n");
        Files.writeString(dir.resolve("main.py"), "def handle(body):\n    return body\n");
        assertThatThrownBy(() -> FunctionManifests.read(dir)).isInstanceOf(ManifestException.class)
                .hasMessageContaining("file 'gone.bin' does not exist");
        // Parsing the text alone checks the field's shape only.
        assertThat(FunctionManifests.parse(HEAD + "example_request: {file: gone.bin}\n", dir.resolve("thaw.yaml"))
                .name()).isEqualTo("hello");
    }

    @Test
    void theShippedExamplesEachDeclareOne() throws Exception {
        Path examples = Path.of(System.getProperty("basedir", "."), "..", "examples");
        ExampleRequest hello = FunctionManifests.exampleRequest(examples.resolve("hello")).orElseThrow();
        assertThat(new String(hello.body(), UTF_8)).isEqualTo("thaw");
        ExampleRequest json = FunctionManifests.exampleRequest(examples.resolve("json-transform")).orElseThrow();
        assertThat(json.contentType()).isEqualTo("application/json");
        assertThat(Json.mapper().readTree(json.body()).get(0).get("sku").asText()).matches("[A-Z]{3}-\\d{4}");
        ExampleRequest thumbnail = FunctionManifests.exampleRequest(examples.resolve("thumbnail")).orElseThrow();
        assertThat(thumbnail.contentType()).isEqualTo("image/png");
        assertThat(thumbnail.body()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
}
