package dev.thaw.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.OwnedProcesses;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.sandbox.qemu.StaleRunRoots;
import dev.thaw.sandbox.testing.TestGuests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing a cluster starts outlives it: SIGKILL of the process that owns a cluster (as {@code thaw up}
 * does) while an instance runs and a VMM waits pre-started takes down its node processes and their
 * QEMU processes within seconds, and the next driver to start removes their run directories.
 */
class ClusterOwnerKilledTest {
    /** Building the guest image the first time (debootstrap) and a TCG boot. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(6);

    @Test
    void killingTheOwnerWithSigkillLeavesNoNodeNoQemuAndNoRunDirectory() throws Exception {
        Path work = Files.createTempDirectory("thaw-killed-cluster");
        Process owner = OwnedProcesses.start(new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dbasedir=" + System.getProperty("basedir", "."), "-cp", System.getProperty("java.class.path"), KillableCluster.class.getName(), work.toString()))
                .redirectErrorStream(true), OwnedProcesses.CreatedFiles.INHERITED);
        try {
            StringBuffer output = new StringBuffer();
            String ready = ReadyLine.await(owner, "the cluster's owner", READY_TIMEOUT, output);
            assertThat(ready).as(output.toString()).startsWith("ready 200 boot ");
            long nodePid = Long.parseLong(ready.substring(ready.lastIndexOf(' ') + 1));
            Path runRoot = StaleRunRoots.forNode("node-1", nodePid);

            List<ProcessHandle> qemus = awaitQemus(owner, 2);
            assertThat(qemus).as("the instance and a pre-started VMM")
                    .anyMatch(p -> p.info().arguments().map(a -> List.of(a).contains("-incoming")).orElse(false));
            assertRunDirectoriesArePrivate(runRoot);
            List<ProcessHandle> everything = new ArrayList<>(owner.descendants().toList());
            assertThat(everything).anyMatch(p -> p.pid() == nodePid);

            owner.destroyForcibly();
            for (ProcessHandle process : everything) {
                assertThat(process.onExit().get(10, TimeUnit.SECONDS).isAlive())
                        .as("process %d %s", process.pid(), process.info().commandLine().orElse("")).isFalse();
            }
            assertThat(runRoot).as("left until the next driver starts").exists();

            QemuMicrovmDriver next = QemuMicrovmDriver.start(TestGuests.kernel().vmlinuz(),
                    TestGuests.kernel().initramfs(), StaleRunRoots.PARENT.resolve("cli-test-" + ProcessHandle
                            .current().pid()), "test");
            next.close();
            FileTrees.deleteQuietly(StaleRunRoots.PARENT.resolve("cli-test-" + ProcessHandle.current().pid()));
            assertThat(runRoot).doesNotExist();
        } finally {
            owner.destroyForcibly();
            owner.waitFor(10, TimeUnit.SECONDS);
            FileTrees.deleteQuietly(work);
        }
    }

    /** The pre-started VMM comes up in the background after the snapshot: wait for it, within a bound. */
    private static List<ProcessHandle> awaitQemus(Process owner, int count) throws InterruptedException {
        return org.awaitility.Awaitility.await("QEMU processes under the cluster").atMost(60, TimeUnit.SECONDS)
                .pollInterval(100, TimeUnit.MILLISECONDS)
                .until(() -> owner.descendants().filter(p -> p.info().command().map(c -> c.contains("qemu-system"))
                        .orElse(false)).toList(), qemus -> qemus.size() >= count);
    }

    /**
     * Nothing in a node's run root is readable or writable by other users or the node's group. A VM's
     * directory may be searchable (only), since it is the root its confined VMM, a user of its own,
     * is chrooted to; read or write access by group goes only to the VMMs' group.
     */
    private static void assertRunDirectoriesArePrivate(Path runRoot) throws Exception {
        Set<PosixFilePermission> otherReadWrite = Set.of(PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_WRITE);
        assertThat(Files.getPosixFilePermissions(runRoot)).containsExactlyInAnyOrderElementsOf(
                FileTrees.OWNER_ONLY_DIRECTORY);
        int nodeGroup = (Integer) Files.getAttribute(runRoot, "unix:gid");
        try (Stream<Path> paths = Files.walk(runRoot)) {
            for (Path path : paths.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                assertThat(mode).as("%s is not open to other users", path).doesNotContainAnyElementsOf(otherReadWrite);
                int fileGroup = (Integer) Files.getAttribute(path, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (fileGroup == nodeGroup) {
                    assertThat(mode).as("%s is not open to the node's group", path).doesNotContain(
                            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE);
                }
                if (!Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) && fileGroup == nodeGroup) {
                    assertThat(mode).as("%s", path).doesNotContain(PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_EXECUTE);
                }
            }
        }
    }
}
