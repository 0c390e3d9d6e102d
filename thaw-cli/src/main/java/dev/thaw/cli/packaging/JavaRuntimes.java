package dev.thaw.cli.packaging;

import dev.thaw.sandbox.ExternalCommand;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Java runtimes for images: {@code jlink} of the modules Thaw and its libraries use, from a JDK
 * 25, without debug symbols, headers or manual pages. Cached in the Thaw home as
 * {@code image-jres/<key>/jre}, keyed by the JDK's {@code release} file, the modules and options.
 */
final class JavaRuntimes {
    /**
     * What Thaw's jars need ({@code jdeps -s} over thaw-cli.jar and lib/): java.desktop for the
     * java.beans that jclouds and Jackson use, java.compiler and java.sql for library signatures,
     * jdk.httpserver for the node and gateway APIs, jdk.unsupported for sun.misc.Unsafe (zstd-jni,
     * Guice), jdk.zipfs for jar file systems.
     */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.datatransfer", "java.desktop",
            "java.logging", "java.management", "java.naming", "java.net.http", "java.security.jgss", "java.sql",
            "java.xml", "jdk.httpserver", "jdk.management", "jdk.net", "jdk.unsupported", "jdk.zipfs");
    static final List<String> OPTIONS = List.of("--strip-debug", "--no-header-files", "--no-man-pages",
            "--compress=zip-6");
    private static final Duration JLINK_TIMEOUT = Duration.ofMinutes(10);

    private final ThawHome home;

    JavaRuntimes(ThawHome home) {
        this.home = home;
    }

    /** The JDK this JVM runs on, if it has jlink (a JRE does not). */
    static Optional<Path> currentJdk() {
        Path javaHome = Path.of(System.getProperty("java.home"));
        return Files.isExecutable(javaHome.resolve("bin/jlink")) ? Optional.of(javaHome) : Optional.empty();
    }

    /** The cached runtime linked from {@code jdk}, linked first if missing. */
    Path ensure(Path jdk) throws IOException {
        Path release = jdk.resolve("release");
        Path jlink = jdk.resolve("bin/jlink");
        if (!Files.isRegularFile(release) || !Files.isExecutable(jlink)) {
            throw new IOException(jdk + " is not a JDK with jlink (no release file or bin/jlink); point --jdk or"
                    + " JAVA_HOME at a JDK 25");
        }
        String releaseText = Files.readString(release);
        if (!releaseText.contains("JAVA_VERSION=\"25")) {
            throw new IOException(jdk + " is not a JDK 25 (its release file says " + releaseText.lines()
                    .filter(l -> l.startsWith("JAVA_VERSION=")).findFirst().orElse("no JAVA_VERSION") + ")");
        }
        String key = HexFormat.of().formatHex(OciLayout.sha256().digest((releaseText + "|" + MODULES + "|" + OPTIONS)
                .getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        Path entry = home.root().resolve("image-jres").resolve(key);
        Path jre = entry.resolve("jre");
        if (Files.isDirectory(jre)) {
            return jre;
        }
        Files.createDirectories(entry.getParent());
        Path work = home.newTempDir("image-jre-" + key);
        try {
            Path built = work.resolve("entry");
            Files.createDirectories(built);
            List<String> command = new java.util.ArrayList<>(List.of(jlink.toString(), "--add-modules",
                    String.join(",", MODULES)));
            command.addAll(OPTIONS);
            command.addAll(List.of("--output", built.resolve("jre").toString()));
            ExternalCommand.runChecked(command, null, JLINK_TIMEOUT, java.util.Map.of());
            try {
                Files.move(built, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another process linked the same runtime first; its copy is equivalent.
            }
        } finally {
            FileTrees.deleteTree(work);
        }
        return jre;
    }
}
