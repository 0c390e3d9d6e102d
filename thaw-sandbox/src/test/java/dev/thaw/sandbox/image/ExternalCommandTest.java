package dev.thaw.sandbox.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests {@link ExternalCommand} (kept in this package, which the image code's owner maintains). */
class ExternalCommandTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void returnsExitCodeAndBothStreams() throws IOException {
        ExternalCommand.Result result = ExternalCommand.run(
                List.of("sh", "-c", "echo out; echo err >&2; exit 3"), null, LIMIT, Map.of());
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("out\n");
        assertThat(result.stderr()).isEqualTo("err\n");
        assertThat(result.succeeded()).isFalse();
    }

    @Test
    void usesWorkDirAndExtraEnvAndAddsSbinToPath(@TempDir Path dir) throws IOException {
        ExternalCommand.Result result = ExternalCommand.runChecked(
                List.of("sh", "-c", "pwd; echo $THAW_TEST_VAR; echo $PATH"), dir, LIMIT, Map.of("THAW_TEST_VAR", "v1"));
        List<String> lines = result.stdout().lines().toList();
        assertThat(Path.of(lines.get(0)).toRealPath()).isEqualTo(dir.toRealPath());
        assertThat(lines.get(1)).isEqualTo("v1");
        assertThat(List.of(lines.get(2).split(":"))).contains("/usr/sbin", "/sbin");
    }

    @Test
    void largeOutputOnBothStreamsDoesNotDeadlock() throws IOException {
        ExternalCommand.Result result = ExternalCommand.runChecked(List.of("sh", "-c",
                "head -c 3000000 /dev/zero | tr '\\0' a; head -c 3000000 /dev/zero | tr '\\0' b >&2"), null, LIMIT, Map.of());
        assertThat(result.stdout()).hasSize(3_000_000);
        assertThat(result.stderr()).hasSize(3_000_000);
    }

    @Test
    void runCheckedNamesCommandStatusAndStderrTail() {
        assertThatThrownBy(() -> ExternalCommand.runChecked(
                List.of("sh", "-c", "for i in $(seq 1 50); do echo line$i >&2; done; exit 7"), null, LIMIT, Map.of()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'sh -c")
                .hasMessageContaining("exit status 7")
                .hasMessageContaining("line31")
                .hasMessageContaining("line50")
                .hasMessageNotContaining("line30\n");
    }

    @Test
    void timeoutKillsTheWholeTree(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pid");
        long started = System.nanoTime();
        assertThatThrownBy(() -> ExternalCommand.run(List.of("sh", "-c",
                "sleep 300 & echo $! > " + pidFile + "; echo started >&2; wait"), null, Duration.ofMillis(500), Map.of()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not finish within 500 ms")
                .hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        long grandchild = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void undeclaredProgramIsRefused() {
        assertThatThrownBy(() -> ExternalCommand.run(List.of("thaw-no-such-program"), null, LIMIT, Map.of()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'thaw-no-such-program'")
                .hasMessageContaining("not a host command Thaw declares");
    }

    @Test
    void missingProgramNamesItsPackage(@TempDir Path emptyDir) {
        assertThatThrownBy(() -> ExternalCommand.run(List.of("cpio", "--version"), null, LIMIT,
                Map.of("PATH", emptyDir.toString())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'cpio': not found")
                .hasMessageContaining("install the Debian package cpio");
    }

    @Test
    void onPathFindsProgramsIncludingSbin() {
        assertThat(ExternalCommand.onPath("sh")).isTrue();
        assertThat(ExternalCommand.onPath("mkfs.ext4")).isTrue();
        assertThat(ExternalCommand.onPath("/bin/sh")).isTrue();
        assertThat(ExternalCommand.onPath("thaw-no-such-program")).isFalse();
    }
}
