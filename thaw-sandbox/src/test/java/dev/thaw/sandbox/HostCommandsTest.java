package dev.thaw.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the host programs Thaw runs, {@link HostCommands}, and what {@code scripts/install-host-deps.sh}
 * installs in step, so a fresh machine that ran the script can run everything.
 */
class HostCommandsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern NEED = Pattern.compile("(?m)^need (\\S+) (\\S+)");
    /** The program named first in a command that Java code (main or test) starts. */
    private static final Pattern PROGRAM = Pattern.compile(
            "(?:ExternalCommand\\.(?:run|runChecked|onPath|which)|new ProcessBuilder)\\(\\s*(?:List\\.of\\(\\s*)?\"([^\"/]+)\"");

    @Test
    void theInstallScriptProvidesEveryDeclaredCommandFromItsPackage() throws IOException {
        Map<String, String> script = scriptNeeds();
        assertThat(script).containsAllEntriesOf(HostCommands.all());
        assertThat(Files.readString(REPO.resolve("scripts/install-host-deps.sh")))
                .as("the guest initramfs needs the static busybox").contains("busybox-static")
                .as("no desktop front ends for a headless node").contains("--no-install-recommends");
    }

    @Test
    void everyProgramTheCodeAndTestsStartIsDeclared() throws IOException {
        Set<String> started = new TreeSet<>(OwnedProcesses.hostCommands());
        try (Stream<Path> files = Files.walk(REPO)) {
            files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/"))
                    .forEach(f -> started.addAll(programsIn(f)));
        }
        started.remove("thaw-no-such-program"); // the test of the refusal itself
        assertThat(started).as("the scan finds what the image builders and tests run")
                .contains("debootstrap", "mkfs.ext4", "cpio", "setpriv");
        Set<String> declared = new TreeSet<>(HostCommands.all().keySet());
        declared.addAll(HostCommands.optional().keySet());
        assertThat(declared).containsAll(started);
    }

    @Test
    void qemuIsDeclaredThoughItIsStartedByItsFullPath() {
        // QemuInstallation finds the binary itself and starts it by its path, which the scan skips
        assertThat(HostCommands.packageOf("qemu-system-x86_64")).contains("qemu-system-x86");
    }

    private static Set<String> programsIn(Path javaFile) {
        try {
            String source = Files.readString(javaFile, StandardCharsets.UTF_8);
            Set<String> programs = new TreeSet<>();
            Matcher m = PROGRAM.matcher(source);
            while (m.find()) {
                programs.add(m.group(1));
            }
            return programs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> scriptNeeds() throws IOException {
        Map<String, String> needs = new TreeMap<>();
        Matcher m = NEED.matcher(Files.readString(REPO.resolve("scripts/install-host-deps.sh")));
        while (m.find()) {
            needs.put(m.group(1), m.group(2));
        }
        return needs;
    }
}
