package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionManifestsTest {

    private static final String MINIMAL = """
            name: hello
            runtime: python3
            handler: main:handle
            """;

    @TempDir
    Path dir;

    private Path manifestFile() {
        return dir.resolve("thaw.yaml");
    }

    /** Writes thaw.yaml and main.py into the temp dir, then reads the function from it. */
    private FunctionManifest readFunction(String yaml) throws IOException, ManifestException {
        Files.writeString(manifestFile(), yaml);
        Files.writeString(dir.resolve("main.py"), "def handle(event):\n    return event\n");
        return FunctionManifests.read(dir);
    }

    /** Asserts that reading {@code yaml} from a real file fails with a message naming the file. */
    private AbstractThrowableAssert<?, ? extends Throwable> assertReadFails(String yaml) {
        return assertThatThrownBy(() -> readFunction(yaml))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith(manifestFile() + ": ")
                .satisfies(e -> assertThat(((ManifestException) e).manifest()).isEqualTo(manifestFile()));
    }

    @Test
    void readsAllFields() throws Exception {
        FunctionManifest m = readFunction("""
                name: resize-img
                runtime: python3
                handler: main:handle
                memory_mib: 1024
                vcpus: 2
                timeout_ms: 120000
                env:
                  GREETING: hi
                  EMPTY: ''
                packages: [python3-pil, curl]
                """);
        assertThat(m).isEqualTo(new FunctionManifest("resize-img", Runtime.PYTHON3, Handler.parse("main:handle"),
                new MachineShape(1024, 2), Map.of("GREETING", "hi", "EMPTY", ""), Duration.ofMinutes(2),
                List.of("curl", "python3-pil")));
    }

    @Test
    void appliesDefaults() throws Exception {
        FunctionManifest m = readFunction(MINIMAL);
        assertThat(m.name()).isEqualTo("hello");
        assertThat(m.shape()).isEqualTo(MachineShape.DEFAULT);
        assertThat(m.timeout()).isEqualTo(Duration.ofMillis(30000));
        assertThat(m.env()).isEmpty();
        assertThat(m.packages()).isEmpty();
    }

    @Test
    void emptyEnvAndPackagesMeanNone() throws Exception {
        FunctionManifest m = readFunction(MINIMAL + "env:\npackages:\n");
        assertThat(m.env()).isEmpty();
        assertThat(m.packages()).isEmpty();
    }

    @Test
    void envScalarsAreKeptExactlyAsWritten() throws Exception {
        FunctionManifest m = readFunction(MINIMAL + """
                env:
                  PORT: 8080
                  VERSION: 3.10
                  MODE: 0755
                  MASK: 0x1F
                  DEBUG: true
                  ENABLED: yes
                  LIMIT: .inf
                  BIG: 123456789012345678901234567890
                  QUOTED: "8080"
                """);
        assertThat(m.env()).containsExactlyInAnyOrderEntriesOf(Map.of("PORT", "8080", "VERSION", "3.10", "MODE", "0755",
                "MASK", "0x1F", "DEBUG", "true", "ENABLED", "yes", "LIMIT", ".inf",
                "BIG", "123456789012345678901234567890", "QUOTED", "8080"));
    }

    @Test
    void missingManifestFile() {
        assertThatThrownBy(() -> FunctionManifests.read(dir))
                .isInstanceOf(ManifestException.class)
                .hasMessage(manifestFile() + ": not found: every function directory needs a thaw.yaml"
                        + " with at least name, runtime and handler");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# nothing here\n", "---\n", "\n\n"})
    void emptyManifest(String yaml) {
        assertReadFails(yaml).hasMessageContaining("manifest is empty; expected at least the fields name, runtime and handler");
    }

    @Test
    void malformedYaml() {
        assertReadFails("name: [hello\nruntime: python3\n").hasMessageContaining("malformed YAML at line");
    }

    @Test
    void duplicateKeyIsMalformed() {
        assertReadFails(MINIMAL + "name: other\n").hasMessageContaining("malformed YAML").hasMessageContaining("'name'");
    }

    @Test
    void moreThanOneDocument() {
        assertReadFails(MINIMAL + "---\n" + MINIMAL).hasMessageContaining("expected one YAML document, found 2");
    }

    @Test
    void rootMustBeAMapping() {
        assertReadFails("- name\n- hello\n").hasMessageContaining("expected a mapping of fields").hasMessageContaining("got a list");
        assertReadFails("hello\n").hasMessageContaining("got a string ('hello')");
    }

    @Test
    void unknownKeyIsRejectedWithSuggestion() {
        assertReadFails(MINIMAL + "memroy_mib: 512\n")
                .hasMessage(manifestFile() + ": unknown field 'memroy_mib' (did you mean 'memory_mib'?); allowed fields:"
                        + " name, runtime, handler, memory_mib, vcpus, timeout_ms, env, packages, example_request");
        assertReadFails(MINIMAL + "description: hi\n")
                .hasMessageContaining("unknown field 'description'; allowed fields: name,");
    }

    @ParameterizedTest
    @ValueSource(strings = {"name", "runtime", "handler"})
    void requiredFieldMissing(String field) {
        String yaml = MINIMAL.lines().filter(line -> !line.startsWith(field + ":")).map(l -> l + "\n")
                .reduce("", String::concat);
        assertReadFails(yaml).hasMessageContaining("missing required field '" + field + "'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "memory_mib: lots     | field 'memory_mib': expected an integer between 64 and 16384 (MiB), got a string ('lots')",
        "memory_mib: 1.5      | field 'memory_mib': expected an integer between 64 and 16384 (MiB), got a decimal number (1.5)",
        "memory_mib: 32       | field 'memory_mib': expected an integer between 64 and 16384 (MiB), got 32",
        "memory_mib: 99999999999999999999 | field 'memory_mib': expected an integer between 64 and 16384 (MiB), got 99999999999999999999",
        "memory_mib: '256'    | field 'memory_mib': expected an integer between 64 and 16384 (MiB), got a string ('256')",
        "memory_mib:          | field 'memory_mib': has no value; expected an integer between 64 and 16384 (MiB) (remove the line to use the default 256)",
        "vcpus: 0             | field 'vcpus': expected an integer between 1 and 16, got 0",
        "vcpus: 17            | field 'vcpus': expected an integer between 1 and 16, got 17",
        "vcpus: true          | field 'vcpus': expected an integer between 1 and 16, got a boolean (true)",
        "timeout_ms: 0        | field 'timeout_ms': expected an integer between 1 and 900000 (milliseconds), got 0",
        "timeout_ms: 900001   | field 'timeout_ms': expected an integer between 1 and 900000 (milliseconds), got 900001",
        "timeout_ms: .inf     | field 'timeout_ms': expected an integer between 1 and 900000 (milliseconds), got a decimal number (Infinity)",
        "env: [1, 2]          | field 'env': expected a mapping of NAME: value, got a list",
        "env: hi              | field 'env': expected a mapping of NAME: value, got a string ('hi')",
        "env: {A: [1]}        | field 'env': value of 'A': expected a string, number or boolean, got a list",
        "env: {A: {B: c}}     | field 'env': value of 'A': expected a string, number or boolean, got a mapping",
        "env: {A: ~}          | field 'env': value of 'A': expected a string, number or boolean, got no value (write '' for an empty string)",
        "env: {THAW_X: 1}     | field 'env': key 'THAW_X' is reserved: the THAW_ prefix is for variables set by Thaw itself",
        "env: {1X: a}         | field 'env': key '1X' is not a valid environment variable name (must match ^[A-Za-z_][A-Za-z0-9_]*$)",
        "packages: curl       | field 'packages': expected a list of Debian package names, got a string ('curl')",
        "packages: [curl, 7]  | field 'packages': item 2: expected Debian package names, got an integer (7)",
        "packages: [Pillow]   | field 'packages': 'Pillow' is not a valid Debian package name (must match ^[a-z0-9][a-z0-9+.-]+$, e.g. 'python3-pil')",
    })
    void badOptionalFieldIsNamed(String line, String expected) {
        assertReadFails(MINIMAL + line + "\n").hasMessage(manifestFile() + ": " + expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "name: 123              | field 'name': expected a function name such as 'hello', got an integer (123)",
        "name:                  | field 'name': expected a function name such as 'hello', got no value",
        "runtime: python2       | field 'runtime': unknown runtime 'python2'; known runtimes: python3",
        "runtime: [python3]     | field 'runtime': expected a runtime id such as 'python3', got a list",
        "handler: main.handle   | field 'handler': invalid handler 'main.handle': expected the form 'module:function', e.g. 'main:handle'",
        "handler: 'main:2x'     | field 'handler': invalid handler 'main:2x': handler function '2x' is not a Python identifier (must match [A-Za-z_][A-Za-z0-9_]*)",
    })
    void badRequiredFieldIsNamed(String line, String expected) {
        String field = line.substring(0, line.indexOf(':'));
        String yaml = MINIMAL.replaceFirst("(?m)^" + field + ":.*$", java.util.regex.Matcher.quoteReplacement(line));
        assertReadFails(yaml).hasMessage(manifestFile() + ": " + expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "..", "hello world", "Hello", "../../etc"})
    void badNamesAreRejected(String name) {
        assertReadFails(MINIMAL.replace("name: hello", "name: '" + name + "'"))
                .hasMessageStartingWith(manifestFile() + ": field 'name': invalid function name '" + name + "': ")
                .hasMessageContaining("lower-case");
    }

    @Test
    void handlerModuleMustExist() throws IOException {
        Files.writeString(manifestFile(), MINIMAL.replace("main:handle", "pkg.mod:fn"));
        assertThatThrownBy(() -> FunctionManifests.read(dir))
                .isInstanceOf(ManifestException.class)
                .hasMessage(manifestFile() + ": handler module 'pkg.mod' not found: expected pkg/mod.py in " + dir
                        + " (or pkg/mod/__init__.py)");
    }

    @Test
    void handlerModuleMayBeAFile() throws Exception {
        Files.writeString(manifestFile(), MINIMAL.replace("main:handle", "pkg.mod:fn"));
        Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(dir.resolve("pkg/mod.py"), "def fn(e): return e\n");
        assertThat(FunctionManifests.read(dir).handler()).isEqualTo(new Handler("pkg.mod", "fn"));
    }

    @Test
    void handlerModuleMayBeAPackage() throws Exception {
        Files.writeString(manifestFile(), MINIMAL.replace("main:handle", "pkg.mod:fn"));
        Files.createDirectories(dir.resolve("pkg/mod"));
        Files.writeString(dir.resolve("pkg/mod/__init__.py"), "def fn(e): return e\n");
        assertThat(FunctionManifests.read(dir).handler()).isEqualTo(new Handler("pkg.mod", "fn"));
    }

    @Test
    void aDirectoryNamedLikeTheModuleFileIsNotEnough() throws IOException {
        Files.writeString(manifestFile(), MINIMAL);
        Files.createDirectories(dir.resolve("main.py"));
        assertThatThrownBy(() -> FunctionManifests.read(dir)).hasMessageContaining("handler module 'main' not found");
    }

    @Test
    void notUtf8() throws IOException {
        Files.write(manifestFile(), new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xff, '\n'});
        assertThatThrownBy(() -> FunctionManifests.read(dir))
                .isInstanceOf(ManifestException.class)
                .hasMessage(manifestFile() + ": not valid UTF-8 text");
    }

    @Test
    void parseNamesTheGivenSourceAndSkipsTheModuleCheck() throws Exception {
        Path source = Path.of("/nowhere/thaw.yaml");
        assertThat(FunctionManifests.parse(MINIMAL, source).name()).isEqualTo("hello");
        assertThatThrownBy(() -> FunctionManifests.parse("name: hello\n", source))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("/nowhere/thaw.yaml: missing required field 'runtime'");
    }

    @Test
    void toYamlRoundTrips() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String value : List.of("8080", "3.10", "true", "yes", "null", "~", "", "a: b", "#x", "- z", "0x1F", ".inf",
                "1_000", " lead", "trail ", "multi\nline", "'q'", "\"dq\"", "*a", "héllo")) {
            env.put("V" + env.size(), value);
        }
        FunctionManifest m = new FunctionManifest("null", Runtime.PYTHON3, Handler.parse("pkg.mod:fn"),
                new MachineShape(2048, 4), env, Duration.ofMillis(1234), List.of("0x1f", "1e5", "python3-pil", "true"));
        String yaml = FunctionManifests.toYaml(m);
        assertThat(yaml).startsWith("name: \"null\"\nruntime: \"python3\"\nhandler: \"pkg.mod:fn\"\nmemory_mib: 2048\n");
        assertThat(FunctionManifests.parse(yaml, manifestFile())).isEqualTo(m);
    }

    @Test
    void toYamlOfDefaultsRoundTrips() throws Exception {
        FunctionManifest m = FunctionManifest.of("hello", Runtime.PYTHON3, Handler.parse("main:handle"));
        String yaml = FunctionManifests.toYaml(m);
        assertThat(yaml).contains("timeout_ms: 30000\n", "env: {}\n", "packages: []\n");
        assertThat(FunctionManifests.parse(yaml, manifestFile())).isEqualTo(m);
    }
}
