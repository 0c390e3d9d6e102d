package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThawHomeTest {

    @Test
    void subdirectoriesAreCreatedOnDemand(@TempDir Path dir) throws IOException {
        ThawHome home = new ThawHome(dir.resolve("h/../home"));
        assertThat(home.root()).isEqualTo(dir.resolve("home"));
        assertThat(home.kernels()).isEqualTo(dir.resolve("home/kernels")).isDirectory();
        assertThat(home.bases()).isEqualTo(dir.resolve("home/bases")).isDirectory();
        assertThat(home.images()).isEqualTo(dir.resolve("home/images")).isDirectory();
        assertThat(home.tmp()).isEqualTo(dir.resolve("home/tmp")).isDirectory();
    }

    @Test
    void fromEnvironmentUsesThawHomeOrDotThaw() {
        String env = System.getenv(ThawHome.ENV_VAR);
        Path expected = env != null && !env.isBlank()
                ? Path.of(env).toAbsolutePath().normalize()
                : Path.of(System.getenv("HOME") != null ? System.getenv("HOME") : System.getProperty("user.home"), ".thaw");
        assertThat(ThawHome.fromEnvironment().root()).isEqualTo(expected);
    }

    @Test
    void staleWorkDirectoriesOfDeadProcessesAreDeleted(@TempDir Path dir) throws Exception {
        ThawHome home = new ThawHome(dir);
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path dead = Files.createDirectories(home.tmp().resolve("p" + finished.pid() + "-1.base.x/root/etc"));
        Path unnamedOld = Files.createDirectory(home.tmp().resolve("leftover"));
        Files.setLastModifiedTime(unnamedOld, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        Path unnamedNew = Files.createDirectory(home.tmp().resolve("fresh"));
        Path mine = home.newTempDir("kernel");

        assertThat(mine.getFileName().toString()).startsWith("p" + ProcessHandle.current().pid() + "-").contains(".kernel.");
        assertThat(dead.getParent().getParent()).doesNotExist();
        assertThat(unnamedOld).doesNotExist();
        assertThat(unnamedNew).exists();
        assertThat(mine).isDirectory();

        home.deleteStaleTemp();
        assertThat(mine).as("this process's own work directory").isDirectory();
    }

    @Test
    void deleteTreeRemovesTreesWithoutFollowingLinks(@TempDir Path dir) throws IOException {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep");
        Path tree = Files.createDirectories(dir.resolve("t/a/b"));
        Files.writeString(tree.resolve("f"), "x");
        Files.createSymbolicLink(tree.resolve("link"), outside);
        Files.createSymbolicLink(dir.resolve("t/dirlink"), dir);
        FileTrees.deleteTree(dir.resolve("t"));
        assertThat(dir.resolve("t")).doesNotExist();
        assertThat(outside).hasContent("keep");
    }
}
