package dev.thaw.sandbox.qemu;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.sandbox.StartKind;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QEMU driver against real guests: examples/hello is booted once, snapshotted
 * once, and every test restores from that snapshot or uses the booted VM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class QemuMicrovmDriverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /**
     * What may stay cached after the drop: files mapped by running code (python3 and its libraries) and
     * tmpfs. hello leaves 6 MiB under TCG; the Python modules it read during boot alone are more.
     */
    private static final long CACHED_AFTER_DROP = 16L << 20;

    private QemuMicrovmDriver driver;
    private BootSpec hello;
    private Sandbox booted;
    private LocalSnapshot snapshot;
    private Path snapshots;

    @BeforeAll
    void bootAndSnapshotHello() throws Exception {
        driver = TestGuests.driver();
        hello = TestGuests.spec(TestGuests.example("hello"));
        booted = driver.boot(hello);
        snapshots = Files.createTempDirectory("thaw-driver-test");
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

    private static JsonNode state(Sandbox sandbox) throws Exception {
        InvocationResult result = sandbox.invoke("state".getBytes(UTF_8), TIMEOUT);
        assertThat(result.ok()).as(result.error()).isTrue();
        return Json.mapper().readTree(result.body());
    }

    @Test
    void bootedVmAnswersAndReportsItsStart() throws Exception {
        InvocationResult result = booted.invoke("thaw".getBytes(UTF_8), TIMEOUT);
        assertThat(result.outcome()).isEqualTo(InvocationResult.Outcome.OK);
        assertThat(result.bodyText()).isEqualTo("hello, thaw");
        assertThat(booted.start().kind()).isEqualTo(StartKind.BOOT);
        assertThat(booted.start().totalMs()).isPositive();
        assertThat(driver.info().name()).isEqualTo("qemu-microvm");
        assertThat(driver.info().accelerator()).isIn("kvm", "tcg");
    }

    @Test
    void snapshotDescribesItselfAndTheBootedVmGoesOn() throws Exception {
        SnapshotInfo info = snapshot.info();
        assertThat(info.function()).isEqualTo("hello");
        assertThat(info.revision()).isEqualTo(hello.revision());
        assertThat(info.driverVersion()).isEqualTo(driver.info().version());
        assertThat(info.files()).containsKeys("mem", "vmstate");
        assertThat(info.files().get("mem").size()).isEqualTo(256L << 20);
        assertThat(info.files().get("vmstate").sha256()).isEqualTo(
                dev.thaw.api.FileDigests.describe(snapshot.deviceState()).sha256());
        assertThat(Files.list(snapshots).map(p -> p.getFileName().toString())).containsExactly("hello");
        assertThat(booted.invoke("after".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, after");
    }

    @Test
    void restoredCloneAnswersAndKeepsStateMadeDuringInit() throws Exception {
        String bootedToken = state(booted).get("booted_with").asText();
        try (Sandbox clone = driver.restore(hello, LocalSnapshot.open(snapshot.dir()))) {
            assertThat(clone.start().kind()).isEqualTo(StartKind.RESTORE);
            assertThat(clone.invoke("clone".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, clone");
            assertThat(state(clone).get("booted_with").asText()).isEqualTo(bootedToken);
        }
    }

    /**
     * QEMU advises guest RAM MADV_HUGEPAGE; on a restored VM's file-backed memory that would make every
     * page fault read 2-4 MiB of the snapshot. Restores run with the preload library that drops the
     * advice ({@code hg} in smaps' VmFlags is VM_HUGEPAGE); boots keep it.
     */
    @Test
    void restoredVmmsMapGuestMemoryWithoutHugePageAdvice() throws Exception {
        long guestMemory = (long) hello.shape().memoryMib() << 20;
        try (Sandbox clone = driver.restore(hello, snapshot)) {
            assertThat(clone.invoke("x".getBytes(UTF_8), TIMEOUT).ok()).isTrue();
            assertThat(mappingFlags(((QemuSandbox) clone).pid(), guestMemory)).doesNotContain("hg");
        }
        assertThat(mappingFlags(((QemuSandbox) booted).pid(), guestMemory)).contains("hg");
    }

    /** The VmFlags of the file-backed mapping of {@code size} bytes in process {@code pid}. */
    private static List<String> mappingFlags(long pid, long size) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/smaps"));
        boolean inGuestMemory = false;
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 5 && fields[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                String[] range = fields[0].split("-");
                long length = Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
                inGuestMemory = length == size && !fields[4].equals("0");
            } else if (inGuestMemory && fields[0].equals("VmFlags:")) {
                return List.of(fields).subList(1, fields.length);
            }
        }
        throw new AssertionError("process " + pid + " maps no file of " + size + " bytes");
    }

    @Test
    void concurrentClonesDoNotSeeEachOthersWrites() throws Exception {
        List<Sandbox> clones = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clones.add(driver.restore(hello, snapshot));
            }
            for (int i = 0; i < clones.size(); i++) {
                assertThat(clones.get(i).invoke(("write:clone-" + i).getBytes(UTF_8), TIMEOUT).bodyText())
                        .isEqualTo("written");
            }
            List<Integer> counters = new ArrayList<>();
            for (int i = 0; i < clones.size(); i++) {
                assertThat(clones.get(i).invoke("read".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("clone-" + i);
                counters.add(state(clones.get(i)).get("invocations").asInt());
            }
            // each clone counted only its own three invocations on top of the snapshot's count
            assertThat(counters).containsOnly(counters.get(0));
            assertThat(booted.invoke("read".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("none");
        } finally {
            clones.forEach(Sandbox::close);
        }
    }

    /**
     * The guest settles its memory before the snapshot: the kernel zeroes pages as they are freed and
     * the agent drops the page cache, so the snapshot's free memory is zero pages, which are neither
     * stored nor fetched. A clone sees memory exactly as the snapshot left it.
     */
    @Test
    void freeMemoryOfTheSnapshotIsZeroPages() throws Exception {
        JsonNode meminfo;
        try (Sandbox clone = driver.restore(hello, snapshot)) {
            meminfo = Json.mapper().readTree(clone.invoke("meminfo".getBytes(UTF_8), TIMEOUT).body());
        }
        long freeBytes = meminfo.get("MemFree").asLong() << 10;
        long cachedBytes = meminfo.get("Cached").asLong() << 10;
        long zeroBytes = zeroPages(snapshot.memory()) * 4096L;
        System.out.printf("guest memory at the snapshot: %d MiB free, %d MiB cached, %d MiB zero pages of %d MiB%n",
                freeBytes >> 20, cachedBytes >> 20, zeroBytes >> 20, Files.size(snapshot.memory()) >> 20);
        assertThat(zeroBytes).as("zero bytes of the memory file against the guest's free memory")
                .isGreaterThanOrEqualTo(freeBytes - (8L << 20));
        assertThat(cachedBytes).as("page cache left after the drop").isLessThan(CACHED_AFTER_DROP);
    }

    private static long zeroPages(Path file) throws IOException {
        byte[] page = new byte[4096];
        byte[] zero = new byte[4096];
        long zeros = 0;
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            while (in.readNBytes(page, 0, page.length) == page.length) {
                if (java.util.Arrays.equals(page, zero)) {
                    zeros++;
                }
            }
        }
        return zeros;
    }

    @Test
    void twoClonesReadDifferentRandomNumbers() throws Exception {
        try (Sandbox a = driver.restore(hello, snapshot); Sandbox b = driver.restore(hello, snapshot)) {
            String fromA = a.invoke("random".getBytes(UTF_8), TIMEOUT).bodyText();
            String fromB = b.invoke("random".getBytes(UTF_8), TIMEOUT).bodyText();
            assertThat(fromA).hasSize(32).isNotEqualTo(fromB);
        }
    }

    @Test
    void restoreTakesPreStartedVmmsFromThePool() throws Exception {
        driver.prestart(hello, snapshot, 1);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            StartKind kind;
            do {
                try (Sandbox clone = driver.restore(hello, snapshot)) {
                    kind = clone.start().kind();
                    assertThat(clone.invoke("pooled".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, pooled");
                }
                if (kind != StartKind.RESTORE_POOLED) {
                    Thread.sleep(200); // the pool fills in the background
                }
            } while (kind != StartKind.RESTORE_POOLED && System.nanoTime() < deadline);
            assertThat(kind).isEqualTo(StartKind.RESTORE_POOLED);
        } finally {
            driver.prestart(hello, snapshot, 0);
        }
    }

    @Test
    void stoppingPrestartWaitsForVmmsBeingStartedAndRefusesNewOnes() throws Exception {
        QemuMicrovmDriver stopping = TestGuests.driver();
        try {
            stopping.prestart(hello, snapshot, 2); // returns while both VMMs are still starting
            stopping.stopPrestarting();
            assertThat(waitingVmms()).as("pre-started VMMs still running after stopPrestarting returned").isEmpty();
            assertThatThrownBy(() -> stopping.prestart(hello, snapshot, 1))
                    .isInstanceOf(SandboxException.class).hasMessageContaining("shutting down");
            try (Sandbox clone = stopping.restore(hello, snapshot)) {
                assertThat(clone.start().kind()).as("restores still work, without a pool")
                        .isEqualTo(StartKind.RESTORE);
            }
        } finally {
            stopping.close();
        }
    }

    private static List<ProcessHandle> waitingVmms() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains("-incoming")).orElse(false))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    @Test
    void handlerExceptionIsReturnedAndTheVmStaysUsable() throws Exception {
        InvocationResult failed = booted.invoke("fail".getBytes(UTF_8), TIMEOUT);
        assertThat(failed.outcome()).isEqualTo(InvocationResult.Outcome.HANDLER_ERROR);
        assertThat(failed.error()).isEqualTo("ValueError: asked to fail");
        assertThat(failed.bodyText()).contains("Traceback").contains("raise ValueError");
        assertThat(booted.invoke("again".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, again");
    }

    @Test
    void hungHandlerIsCutOffByTheTimeout() throws Exception {
        try (Sandbox clone = driver.restore(hello, snapshot)) {
            InvocationResult hung = clone.invoke("hang".getBytes(UTF_8), Duration.ofMillis(500));
            assertThat(hung.outcome()).isEqualTo(InvocationResult.Outcome.TIMEOUT);
            assertThat(hung.error()).contains("500 ms");
            assertThat(clone.invoke("later".getBytes(UTF_8), TIMEOUT).bodyText()).isEqualTo("hello, later");
        }
    }

    @Test
    void killedQemuIsReportedAndCleanedUp() throws Exception {
        QemuSandbox clone = (QemuSandbox) driver.restore(hello, snapshot);
        try {
            ProcessHandle.of(clone.pid()).orElseThrow().destroyForcibly();
            ProcessHandle.of(clone.pid()).ifPresent(p -> p.onExit().join());
            assertThatThrownBy(() -> clone.invoke("x".getBytes(UTF_8), TIMEOUT))
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("exited");
            assertThat(clone.isAlive()).isFalse();
            assertThat(clone.deathReason()).get().asString().contains("QEMU process " + clone.pid());
        } finally {
            clone.close();
        }
    }

    @Test
    void snapshotWithAMissingFileIsRejected(@TempDir Path dir) throws Exception {
        Path copy = copySnapshot(dir);
        Files.delete(copy.resolve("vmstate"));
        assertThatThrownBy(() -> LocalSnapshot.open(copy))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("'vmstate' is missing");
    }

    @Test
    void truncatedMemoryFileIsRejected(@TempDir Path dir) throws Exception {
        Path copy = copySnapshot(dir);
        try (var channel = java.nio.channels.FileChannel.open(copy.resolve("mem"),
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(1 << 20);
        }
        assertThatThrownBy(() -> LocalSnapshot.open(copy))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void snapshotFromAnotherQemuVersionIsRefused(@TempDir Path dir) throws Exception {
        Path copy = copySnapshot(dir);
        SnapshotInfo info = snapshot.info();
        SnapshotInfo other = new SnapshotInfo(info.formatVersion(), info.function(), info.revision(), info.driver(),
                "6.2.0", info.shape(), info.kernelDigest(), info.imageDigests(), info.files(), info.createdAt(),
                info.node(), info.initMs());
        Files.delete(copy.resolve(SnapshotInfo.FILE_NAME));
        other.write(copy.resolve(SnapshotInfo.FILE_NAME));
        assertThatThrownBy(() -> driver.restore(hello, LocalSnapshot.open(copy)))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("QEMU 6.2.0")
                .hasMessageContaining(driver.info().version());
    }

    @Test
    void snapshotOfAnotherFunctionIsRefused() throws Exception {
        BootSpec renamed = new BootSpec("other", hello.revision(), hello.shape(), hello.kernel(), hello.initramfs(),
                hello.kernelDigest(), hello.disks(), hello.diskDigests(), hello.initTimeout());
        assertThatThrownBy(() -> driver.restore(renamed, snapshot))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("function 'hello', not 'other'");
    }

    @Test
    void snapshotIntoAnExistingDirectoryFailsAndLeavesNothing() throws Exception {
        assertThatThrownBy(() -> booted.snapshot(snapshot.dir()))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("already exists");
        try (var entries = Files.list(snapshots)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("hello");
        }
    }

    @Test
    void initFailureIsReportedWithTheGuestsError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("thaw.yaml"), "name: broken\nruntime: python3\nhandler: main:handle\n");
        Files.writeString(dir.resolve("main.py"), "def init():\n    raise RuntimeError('no database')\n"
                + "def handle(body):\n    return body\n");
        BootSpec broken = TestGuests.spec(dir);
        assertThatThrownBy(() -> driver.boot(broken))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("broken failed to initialize: RuntimeError: no database");
    }

    @Test
    void handlerFunctionThatDoesNotExistFailsInit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("thaw.yaml"), "name: nohandler\nruntime: python3\nhandler: main:missing\n");
        Files.writeString(dir.resolve("main.py"), "def handle(body):\n    return body\n");
        BootSpec spec = TestGuests.spec(dir);
        assertThatThrownBy(() -> driver.boot(spec))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("has no function 'missing'");
    }

    private Path copySnapshot(Path dir) throws IOException {
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        for (String name : List.of("mem", "vmstate", SnapshotInfo.FILE_NAME)) {
            dev.thaw.sandbox.SparseFiles.copy(snapshot.dir().resolve(name), copy.resolve(name));
        }
        return copy;
    }
}
