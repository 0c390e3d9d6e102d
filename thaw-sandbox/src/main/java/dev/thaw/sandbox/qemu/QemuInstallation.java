package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's {@code qemu-system-x86_64} and its version. The version is part of
 * every snapshot: device state only loads into the QEMU version that saved it.
 */
record QemuInstallation(Path binary, String version) {
    private static final Pattern VERSION = Pattern.compile("QEMU emulator version (\\S+)");

    static QemuInstallation locate() throws IOException {
        Path binary = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "qemu-system-x86_64");
            if (Files.isExecutable(candidate)) {
                binary = candidate;
                break;
            }
        }
        if (binary == null) {
            throw new IOException("qemu-system-x86_64 is not installed (Debian package qemu-system-x86; "
                    + "./thaw demo installs it)");
        }
        ExternalCommand.Result result = ExternalCommand.run(List.of(binary.toString(), "--version"), null,
                Duration.ofSeconds(10), Map.of());
        Matcher matcher = VERSION.matcher(result.stdout());
        if (result.exitCode() != 0 || !matcher.find()) {
            throw new IOException(binary + " --version did not report a version: " + result.stdout()
                    + result.stderr());
        }
        return new QemuInstallation(binary, matcher.group(1));
    }
}
