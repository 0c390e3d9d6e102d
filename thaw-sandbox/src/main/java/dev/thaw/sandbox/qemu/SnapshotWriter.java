package dev.thaw.sandbox.qemu;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.SparseFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Takes a snapshot of a booted VM. The VM's memory lives in a shared file, so
 * with the {@code x-ignore-shared} capability QEMU's migration writes only
 * device and vCPU state (tens of KiB) and leaves the VM stopped; the memory file
 * is then copied sparsely while it cannot change, and the VM goes on.
 * {@code info.json} is written last, and the directory appears under its final
 * name only when complete.
 */
final class SnapshotWriter {
    static final String DRIVER = "qemu-microvm";

    private final String qemuVersion;
    private final String node;

    SnapshotWriter(String qemuVersion, String node) {
        this.qemuVersion = qemuVersion;
        this.node = node;
    }

    /** What {@link #capture} left in a staging directory, to be {@link #seal}ed. */
    record Captured(Path staging, Path target, BootSpec spec, double initMs) {
    }

    /**
     * Saves device state and memory into a staging directory beside {@code dir}.
     * The guest is paused only during this call.
     */
    Captured capture(Vmm vmm, double initMs, Path dir) throws IOException {
        if (Files.exists(dir)) {
            throw new IOException(dir + " already exists");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + dir.getFileName() + ".partial-");
        boolean stopped = false;
        try {
            saveDeviceState(vmm, staging.resolve(LocalSnapshot.DEVICE_STATE));
            stopped = true;
            SparseFiles.copy(vmm.run().bootMemory(), staging.resolve(LocalSnapshot.MEMORY));
            vmm.qmp().execute("cont", Map.of(), Vmm.QMP_TIMEOUT);
            return new Captured(staging, dir, vmm.config().spec(), initMs);
        } catch (IOException | RuntimeException e) {
            if (stopped && vmm.isAlive()) {
                try {
                    vmm.qmp().execute("cont", Map.of(), Vmm.QMP_TIMEOUT);
                } catch (IOException resume) {
                    e.addSuppressed(resume);
                }
            }
            FileTrees.deleteQuietly(staging);
            throw e;
        }
    }

    /** Hashes the captured files, writes {@code info.json} last and moves the snapshot into place. */
    LocalSnapshot seal(Captured captured) throws IOException {
        try {
            SnapshotInfo info = describe(captured.spec(), captured.initMs(), captured.staging());
            info.write(captured.staging().resolve(SnapshotInfo.FILE_NAME));
            Files.move(captured.staging(), captured.target(), StandardCopyOption.ATOMIC_MOVE);
            return new LocalSnapshot(captured.target(), info);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(captured.staging());
            throw e;
        }
    }

    /** Migrates the VM to a Unix socket this method reads into {@code target}. */
    private static void saveDeviceState(Vmm vmm, Path target) throws IOException {
        Path socket = vmm.run().outgoingSocket();
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            if (vmm.uid() >= 0) {
                VmmJail.own(socket, vmm.uid(), VmmUids.group()); // a confined QEMU connects as its own user
            }
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> receive(server, target),
                    runnable -> Thread.ofVirtual().start(runnable));
            vmm.qmp().execute("migrate-set-capabilities",
                    Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", true))),
                    Vmm.QMP_TIMEOUT);
            vmm.qmp().execute("migrate", Map.of("uri", "unix:" + vmm.config().socketPath(socket)), Vmm.QMP_TIMEOUT);
            vmm.awaitMigration("saving device state");
            try {
                received.get(Vmm.MIGRATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IOException("writing device state failed: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException | InterruptedException e) {
                throw new IOException("device state did not arrive", e);
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private static long receive(ServerSocketChannel server, Path target) {
        try (SocketChannel peer = server.accept();
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            return out.transferFrom(peer, 0, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SnapshotInfo describe(BootSpec spec, double initMs, Path staging) throws IOException {
        Map<String, SnapshotInfo.FileEntry> files = new LinkedHashMap<>();
        for (String name : List.of(LocalSnapshot.MEMORY, LocalSnapshot.DEVICE_STATE)) {
            Path file = staging.resolve(name);
            files.put(name, FileDigests.describe(file));
        }
        return new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, spec.function(), spec.revision(), DRIVER, qemuVersion,
                spec.shape(), spec.kernelDigest(), spec.diskDigests(), files, Instant.now(), node, initMs);
    }
}
