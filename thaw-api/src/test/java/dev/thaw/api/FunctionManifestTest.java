package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionManifestTest {

    private static final Handler MAIN = Handler.parse("main:handle");

    private static FunctionManifest with(Map<String, String> env, Duration timeout, List<String> packages) {
        return new FunctionManifest("hello", Runtime.PYTHON3, MAIN, MachineShape.DEFAULT, env, timeout, packages);
    }

    @Test
    void ofUsesDefaults() {
        FunctionManifest m = FunctionManifest.of("hello", Runtime.PYTHON3, MAIN);
        assertThat(m.shape()).isEqualTo(MachineShape.DEFAULT);
        assertThat(m.timeout()).isEqualTo(Duration.ofSeconds(30)).isEqualTo(FunctionManifest.DEFAULT_TIMEOUT);
        assertThat(m.env()).isEmpty();
        assertThat(m.packages()).isEmpty();
    }

    @Test
    void rejectsInvalidName() {
        assertThatThrownBy(() -> FunctionManifest.of("a/b", Runtime.PYTHON3, MAIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid function name 'a/b'");
    }

    @Test
    void rejectsNullComponentsNamingThem() {
        assertThatThrownBy(() -> FunctionManifest.of("hello", null, MAIN)).hasMessage("runtime must not be null");
        assertThatThrownBy(() -> with(null, Duration.ofSeconds(1), List.of())).hasMessage("env must not be null");
        assertThatThrownBy(() -> with(Map.of(), null, List.of())).hasMessage("timeout must not be null");
        assertThatThrownBy(() -> with(Map.of(), Duration.ofSeconds(1), null)).hasMessage("packages must not be null");
    }

    @Test
    void envIsAnImmutableSortedCopy() {
        Map<String, String> env = new HashMap<>(Map.of("B", "2", "A", "1", "_C", "3"));
        FunctionManifest m = with(env, Duration.ofSeconds(1), List.of());
        env.put("D", "4");
        assertThat(m.env()).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"), Map.entry("_C", "3"));
        assertThatThrownBy(() -> m.env().put("E", "5")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsReservedEnvPrefix() {
        assertThatThrownBy(() -> with(Map.of("THAW_PORT", "1"), Duration.ofSeconds(1), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("env: key 'THAW_PORT' is reserved: the THAW_ prefix is for variables set by Thaw itself");
    }

    @Test
    void rejectsMalformedEnvKeysAndNulValues() {
        assertThatThrownBy(() -> with(Map.of("1X", "v"), Duration.ofSeconds(1), List.of()))
                .hasMessageStartingWith("env: key '1X' is not a valid environment variable name");
        assertThatThrownBy(() -> with(Map.of("A-B", "v"), Duration.ofSeconds(1), List.of()))
                .hasMessageContaining("'A-B'");
        assertThatThrownBy(() -> with(Map.of("A", "x\0y"), Duration.ofSeconds(1), List.of()))
                .hasMessage("env: value of 'A' contains a NUL character");
    }

    @Test
    void packagesAreSortedAndDeduplicated() {
        FunctionManifest m = with(Map.of(), Duration.ofSeconds(1), List.of("python3-pil", "curl", "python3-pil", "g++"));
        assertThat(m.packages()).containsExactly("curl", "g++", "python3-pil");
        assertThatThrownBy(() -> m.packages().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsInvalidPackageNames() {
        for (String bad : List.of("Pil", "a", "-x", "py pil", "pkg_name", "../x")) {
            assertThatThrownBy(() -> with(Map.of(), Duration.ofSeconds(1), List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("packages: '" + bad + "' is not a valid Debian package name");
        }
    }

    @Test
    void timeoutMustBePositiveAtMostFifteenMinutesAndWholeMilliseconds() {
        assertThat(with(Map.of(), Duration.ofMinutes(15), List.of()).timeout()).isEqualTo(FunctionManifest.MAX_TIMEOUT);
        assertThat(with(Map.of(), Duration.ofMillis(1), List.of()).timeout()).isEqualTo(Duration.ofMillis(1));
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMinutes(15).plusMillis(1))) {
            assertThatThrownBy(() -> with(Map.of(), bad, List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout must be more than 0 and at most 15 minutes, got " + bad);
        }
        assertThatThrownBy(() -> with(Map.of(), Duration.ofNanos(1_500_000), List.of()))
                .hasMessageContaining("whole number of milliseconds");
    }

    @Test
    void roundTripsThroughJson() {
        FunctionManifest m = new FunctionManifest("hello", Runtime.PYTHON3, Handler.parse("pkg.mod:fn"),
                new MachineShape(512, 2), Map.of("A", "1"), Duration.ofSeconds(5), List.of("curl"));
        String json = Json.write(m);
        assertThat(json).contains("\"runtime\":\"python3\"", "\"handler\":\"pkg.mod:fn\"", "\"timeout\":\"PT5S\"");
        assertThat(Json.read(json, FunctionManifest.class)).isEqualTo(m);
    }
}
