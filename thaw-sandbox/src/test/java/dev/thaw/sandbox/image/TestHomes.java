package dev.thaw.sandbox.image;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Test helpers shared by the image tests. */
final class TestHomes {

    private TestHomes() {}

    /**
     * A ThawHome shared by all tests that need a base root file system, because building one
     * (debootstrap) takes about 30 s. It is, in order of preference: the system property
     * {@code thaw.test.home}, the environment variable {@code THAW_TEST_HOME}, or
     * {@code <module>/target/thaw-home}. The last lives in the build directory on purpose: it
     * survives between test runs of one checkout (so only the first run pays for debootstrap) and
     * goes away with {@code mvn clean}. The cache is safe to share: entries appear atomically and
     * builds of one key are serialized by file locks, also across concurrent test JVMs.
     */
    static ThawHome shared() {
        String property = System.getProperty("thaw.test.home");
        if (property != null && !property.isBlank()) {
            return new ThawHome(Path.of(property));
        }
        String env = System.getenv("THAW_TEST_HOME");
        if (env != null && !env.isBlank()) {
            return new ThawHome(Path.of(env));
        }
        // Surefire runs tests with the module directory as basedir (and as working directory).
        return new ThawHome(Path.of(System.getProperty("basedir", "."), "target", "thaw-home"));
    }

    /** {@code debugfs -R '<request>' image}'s standard output. */
    static String debugfs(Path image, String request) throws IOException {
        return ExternalCommand.runChecked(List.of("debugfs", "-R", request, image.toString()), null,
                Duration.ofSeconds(60), Map.of("LC_ALL", "C")).stdout();
    }

    /** Milliseconds since {@code startedNanos}, for the timings the tests print. */
    static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
