package dev.thaw.cli.packaging;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The jars of a Thaw installation: {@code thaw-cli.jar} and the {@code lib/} directory beside it,
 * split into Thaw's own (changing with every build) and third-party libraries (changing rarely),
 * so that they go into separate image layers.
 */
public record ThawJars(List<Path> thaw, List<Path> libraries) {

    /** The jars of {@code cliJar} and {@code lib}, sorted by file name. */
    public static ThawJars of(Path cliJar, Path lib) throws IOException {
        if (!Files.isRegularFile(cliJar) || !Files.isDirectory(lib)) {
            throw new IOException("no Thaw installation at " + cliJar + " and " + lib
                    + " (build it first: ./thaw --version)");
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
        List<Path> own = Stream.concat(Stream.of(cliJar), jars.stream().filter(ThawJars::isThaw)).sorted().toList();
        return new ThawJars(own, jars.stream().filter(j -> !isThaw(j)).toList());
    }

    /** The installation this command runs from: the jar holding {@code mainClass} and its {@code lib/}. */
    public static ThawJars running(Class<?> mainClass) throws IOException {
        Path location;
        try {
            location = Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot tell where " + mainClass.getName() + " was loaded from", e);
        }
        if (!Files.isRegularFile(location)) {
            throw new IOException("Thaw runs from " + location + ", not from thaw-cli.jar; build the distribution"
                    + " first (./thaw --version)");
        }
        return of(location, location.resolveSibling("lib"));
    }

    private static boolean isThaw(Path jar) {
        return jar.getFileName().toString().startsWith("thaw-");
    }
}
