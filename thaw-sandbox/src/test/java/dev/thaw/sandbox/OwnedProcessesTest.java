package dev.thaw.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnedProcessesTest {

    /**
     * An owner in its own JVM: starts {@code sleep} from a thread that then ends (the death signal
     * must not follow that thread), prints the child's pid, and waits to be killed.
     */
    public static final class Owner {
        public static void main(String[] args) throws Exception {
            Process[] child = new Process[1];
            Thread spawner = Thread.ofPlatform().start(() -> {
                try {
                    child[0] = OwnedProcesses.start(new ProcessBuilder("sleep", "600"),
                            OwnedProcesses.CreatedFiles.INHERITED);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            spawner.join();
            System.out.println("child " + child[0].pid());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void aChildDiesWhenItsOwnerIsKilledButNotWhenTheThreadThatStartedItEnds() throws Exception {
        Process owner = OwnedProcesses.start(new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                Owner.class.getName())).redirectErrorStream(true), OwnedProcesses.CreatedFiles.INHERITED);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("owner's output").startsWith("child ");
            ProcessHandle child = ProcessHandle.of(Long.parseLong(line.substring("child ".length()))).orElseThrow();
            assertThat(child.parent().map(ProcessHandle::pid)).contains(owner.pid());
            // the thread that forked it is gone; a death signal tied to it would have come at once
            assertThat(child.onExit().completeOnTimeout(null, 500, TimeUnit.MILLISECONDS).get()).isNull();
            assertThat(child.isAlive()).isTrue();

            owner.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
        } finally {
            owner.destroyForcibly();
            owner.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void privateChildrenCreateFilesOnlyTheirOwnerCanRead(@TempDir Path dir) throws Exception {
        Process child = OwnedProcesses.start(new ProcessBuilder("sh", "-c", "echo guest > memory; mkdir runs")
                .directory(dir.toFile()), OwnedProcesses.CreatedFiles.PRIVATE);
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("memory"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("runs"))))
                .isEqualTo("rwx------");
    }

    @Test
    void theChildRunsTheProgramItselfUnderThePidJavaReports(@TempDir Path dir) throws Exception {
        Process child = OwnedProcesses.start(new ProcessBuilder("sh", "-c", "echo $$ > pid; cat /proc/$$/status")
                .directory(dir.toFile()), OwnedProcesses.CreatedFiles.INHERITED);
        String status = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("pid")).strip()).isEqualTo(Long.toString(child.pid()));
        assertThat(status).contains("PPid:\t" + ProcessHandle.current().pid());
    }

    @Test
    void aProgramThatIsNotThereIsAnIOExceptionNotAChildThatFails() {
        assertThatThrownBy(() -> OwnedProcesses.start(new ProcessBuilder("/nonexistent/thaw-program"),
                OwnedProcesses.CreatedFiles.INHERITED))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/nonexistent/thaw-program");
    }
}
