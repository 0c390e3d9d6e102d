package dev.thaw.sandbox.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaleRunRootsTest {
    @TempDir
    Path parent;

    @Test
    void removesRunRootsOfDeadProcessesOnly() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        long self = ProcessHandle.current().pid();
        Path stale = Files.createDirectories(parent.resolve("node-n1-" + dead.pid()).resolve("vm-1"));
        Path staleCli = Files.createDirectories(parent.resolve("cli-" + dead.pid()));
        Path live = Files.createDirectories(parent.resolve("node-n2-" + self));
        Path foreign = Files.createDirectories(parent.resolve("something-" + dead.pid()));
        Path mine = parent.resolve("node-n3-" + self);

        assertThat(StaleRunRoots.sweep(mine)).isEqualTo(2);

        assertThat(stale.getParent()).doesNotExist();
        assertThat(staleCli).doesNotExist();
        assertThat(live).exists();
        assertThat(foreign).exists();
    }
}
