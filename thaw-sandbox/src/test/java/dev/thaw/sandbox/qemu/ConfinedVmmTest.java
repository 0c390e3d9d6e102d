package dev.thaw.sandbox.qemu;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.StartKind;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * VMMs run confined: read from {@code /proc} of a running guest's QEMU, for a booted, a restored
 * and a pre-started (pooled) VM. And a guest that floods its console costs the node a bounded
 * buffer, while the VM and its driver go on serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class ConfinedVmmTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int CONSOLE_CAP = 4096;

    private QemuMicrovmDriver driver;
    private BootSpec hello;
    private QemuSandbox booted;
    private LocalSnapshot snapshot;
    private Path snapshots;

    @BeforeAll
    void bootAndSnapshot() throws Exception {
        GuestKernel kernel = TestGuests.kernel();
        driver = QemuMicrovmDriver.start(kernel.vmlinuz(), kernel.initramfs(), TestGuests.runRoot(), "test",
                new QemuMicrovmDriver.Options(true, CONSOLE_CAP));
        hello = TestGuests.spec(TestGuests.example("hello"));
        booted = (QemuSandbox) driver.boot(hello);
        snapshots = Files.createTempDirectory("thaw-confined-test");
        snapshot = booted.snapshot(snapshots.resolve("hello"));
    }

    @AfterAll
    void stopEverything() throws IOException {
        if (driver != null) {
            driver.close();
        }
        if (snapshots != null) {
            FileTrees.deleteTree(snapshots);
        }
    }

    @Test
    void theDriverAppliesEveryPartItReportsAndNamesTheRest() {
        var confinement = driver.confinement();
        assertThat(confinement.seccomp()).isTrue();
        assertThat(confinement.ownUser()).isTrue();
        assertThat(confinement.mountNamespace()).isTrue();
        assertThat(confinement.limits()).contains("rlimits");
        assertThat(confinement.describe()).contains("seccomp on");
        if (!Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            assertThat(confinement.gaps()).anyMatch(g -> g.contains("CPU time"));
        }
    }

    @Test
    void bootedVmIsConfined() throws Exception {
        assertConfined(booted.pid(), booted.runDir(), false);
        assertThat(booted.invoke("x".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, x");
    }

    @Test
    void restoredVmIsConfined() throws Exception {
        try (QemuSandbox clone = (QemuSandbox) driver.restore(hello, snapshot)) {
            assertThat(clone.start().kind()).isEqualTo(StartKind.RESTORE);
            assertThat(clone.invoke("clone".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, clone");
            assertConfined(clone.pid(), clone.runDir(), true);
        }
    }

    @Test
    void pooledVmIsConfinedWhileWaitingAndOnceRestored() throws Exception {
        driver.prestart(hello, snapshot, 1);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<ProcessHandle> waiting = List.of();
            while (waiting.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100); // the pool starts its VMM in the background
                waiting = ProcessHandle.current().descendants()
                        .filter(p -> p.info().arguments().map(a -> List.of(a).contains("-incoming")).orElse(false))
                        .filter(p -> seccompMode(p.pid()).equals("2")) // QEMU loads its filter once it has set up
                        .toList();
            }
            assertThat(waiting).as("a pre-started VMM that has loaded its seccomp filter").isNotEmpty();
            long pid = waiting.getFirst().pid();
            Path root = Files.readSymbolicLink(Path.of("/proc/" + pid + "/root"));
            assertThat(root.getParent()).as("a VM run directory of this driver").isEqualTo(TestGuests.runRoot());
            assertConfined(pid, root, true);
            StartKind kind;
            do {
                try (QemuSandbox clone = (QemuSandbox) driver.restore(hello, snapshot)) {
                    kind = clone.start().kind();
                    assertThat(clone.invoke("pooled".getBytes(UTF_8), TIMEOUT).bodyText())
                            .isEqualTo("hello, pooled");
                    assertConfined(clone.pid(), clone.runDir(), true);
                }
                if (kind != StartKind.RESTORE_POOLED) {
                    Thread.sleep(200); // the pool refills in the background
                }
            } while (kind != StartKind.RESTORE_POOLED && System.nanoTime() < deadline);
            assertThat(kind).isEqualTo(StartKind.RESTORE_POOLED);
        } finally {
            driver.forget(snapshot.dir()); // stops the pool and any VMM it is still starting
        }
    }

    @Test
    void aGuestFloodingItsConsoleKeepsOnlyTheCapAndGoesOnServing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("thaw.yaml"), "name: flood\nruntime: python3\nhandler: main:handle\n");
        Files.writeString(dir.resolve("main.py"), """
                import sys, threading

                def _flood():
                    line = "flood " * 20 + "\\n"
                    while True:
                        sys.stdout.write(line)
                        sys.stdout.flush()

                def init():
                    threading.Thread(target=_flood, daemon=True).start()

                def handle(body):
                    return b"still here"
                """);
        try (QemuSandbox flood = (QemuSandbox) driver.boot(TestGuests.spec(dir))) {
            BoundedLog console = flood.console();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (console.total() < 4L * CONSOLE_CAP && System.nanoTime() < deadline) {
                Thread.sleep(100); // the guest writes at its serial port's pace
            }
            assertThat(console.total()).as("console bytes the guest wrote").isGreaterThan(4L * CONSOLE_CAP);
            assertThat(console.kept().length).isEqualTo(CONSOLE_CAP);
            assertThat(console.tail(3)).contains("earlier bytes dropped").contains("flood flood");
            assertThat(flood.invoke("x".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("still here");
            assertThat(booted.invoke("neighbour".getBytes(UTF_8), TIMEOUT).bodyText())
                    .isEqualTo("hello, neighbour");
            assertThat(flood.console().kept().length).isLessThanOrEqualTo(CONSOLE_CAP);
        }
    }

    /** Reads the proof of each part of the confinement from {@code /proc} while QEMU runs. */
    private void assertConfined(long pid, Path runDir, boolean restored) throws IOException {
        Map<String, String> status = status(pid);
        assertThat(status.get("Seccomp")).as("seccomp filter mode").isEqualTo("2");
        assertThat(status.get("NoNewPrivs")).isEqualTo("1");
        List<String> uids = List.of(status.get("Uid").split("\\s+"));
        assertThat(uids).hasSize(4).doesNotContain("0").containsOnly(uids.getFirst());
        assertThat(Long.parseLong(uids.getFirst())).isBetween((long) VmmUids.BASE, (long) VmmUids.BASE + VmmUids.COUNT);
        assertThat(List.of(status.get("Gid").split("\\s+"))).doesNotContain("0");
        assertThat(status.get("Groups")).isEmpty();
        assertThat(status.get("CapEff")).isEqualTo("0000000000000000");
        assertThat(status.get("CapBnd")).isEqualTo("0000000000000000");

        Path root = Files.readSymbolicLink(Path.of("/proc/" + pid + "/root"));
        assertThat(root).isNotEqualTo(Path.of("/")).isEqualTo(runDir);

        List<String> mountPoints = Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo")).stream()
                .map(line -> line.split(" ")[4]).sorted().toList();
        // the run directory itself is no mount point: it is listed only as the root of the others
        List<String> expected = new ArrayList<>(List.of("/usr", "/etc/ld.so.cache", "/dev/null", "/dev/urandom",
                "/kernel", "/initrd", "/disk0", "/disk1"));
        if (restored) {
            expected.addAll(List.of("/snapshot-mem", "/" + VmmPreload.LIBRARY));
        }
        if (driver.info().accelerator().equals("kvm")) {
            expected.add("/dev/kvm");
        }
        assertThat(mountPoints).as("everything the VMM's mount namespace holds")
                .containsExactlyInAnyOrderElementsOf(expected);
        String usr = Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo")).stream()
                .filter(line -> line.split(" ")[4].equals("/usr")).findFirst().orElseThrow();
        assertThat(usr.split(" ")[5]).startsWith("ro,").contains("nosuid").contains("nodev");

        String limits = Files.readString(Path.of("/proc/" + pid + "/limits"));
        assertThat(limits).containsPattern("Max core file size\\s+0\\s+0")
                .containsPattern("Max file size\\s+0\\s+0")
                .containsPattern("Max open files\\s+256\\s+256")
                .containsPattern("Max processes\\s+\\d+\\s+\\d+")
                .doesNotContainPattern("Max address space\\s+unlimited");
        assertThat(Files.readString(Path.of("/proc/" + pid + "/environ"))).doesNotContain("THAW_TEST_HOME");
    }

    private static String seccompMode(long pid) {
        try {
            return status(pid).getOrDefault("Seccomp", "");
        } catch (IOException e) {
            return ""; // gone meanwhile
        }
    }

    private static Map<String, String> status(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(line -> line.contains(":"))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(':')),
                        line -> line.substring(line.indexOf(':') + 1).strip(), (a, b) -> a, TreeMap::new));
    }
}
