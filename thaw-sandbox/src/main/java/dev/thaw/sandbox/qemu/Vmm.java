package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.OwnedProcesses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One QEMU process with its control (QMP) and agent channels connected. It owns
 * the process and its run directory: {@link #close()} kills the one and deletes
 * the other, whatever state the VM is in.
 */
final class Vmm implements AutoCloseable {
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(30);

    private final VmConfig config;
    private final Process process;
    private final QmpClient qmp;
    private final GuestChannel agent;
    private volatile boolean closing;

    private Vmm(VmConfig config, Process process, QmpClient qmp, GuestChannel agent) {
        this.config = config;
        this.process = process;
        this.qmp = qmp;
        this.agent = agent;
    }

    /** Starts QEMU and connects to it; on any failure nothing is left running. */
    static Vmm start(QemuInstallation qemu, VmConfig config) throws IOException {
        List<String> args = config.arguments(qemu.binary());
        RunDir run = config.run();
        ProcessBuilder builder = new ProcessBuilder(args)
                .redirectErrorStream(true)
                .redirectOutput(run.createQemuLog().toFile());
        Process process = OwnedProcesses.start(builder, OwnedProcesses.CreatedFiles.PRIVATE);
        QmpClient qmp = null;
        try {
            long deadline = System.nanoTime() + QMP_TIMEOUT.toNanos();
            GuestChannel agent = new GuestChannel(UnixSockets.connect(run.agentSocket(), process, deadline));
            try {
                qmp = QmpClient.open(UnixSockets.connect(run.qmpSocket(), process, deadline), QMP_TIMEOUT);
            } catch (IOException | RuntimeException e) {
                agent.close();
                throw e;
            }
            return new Vmm(config, process, qmp, agent);
        } catch (IOException | RuntimeException e) {
            kill(process);
            IOException failure = new IOException("QEMU did not start: " + e.getMessage() + run.diagnostics(), e);
            run.delete();
            throw failure;
        }
    }

    VmConfig config() {
        return config;
    }

    RunDir run() {
        return config.run();
    }

    long pid() {
        return process.pid();
    }

    QmpClient qmp() {
        return qmp;
    }

    GuestChannel agent() {
        return agent;
    }

    /** Completes when the QEMU process has exited, for whatever reason. */
    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Why the process is gone, with the last words of QEMU and the guest console. */
    String exitDescription() {
        if (process.isAlive()) {
            return "running";
        }
        return "QEMU process " + process.pid() + " exited with status " + process.exitValue() + run().diagnostics();
    }

    boolean isClosing() {
        return closing;
    }

    /** Makes this VMM listen for device state on its incoming socket (x-ignore-shared: RAM stays in the file). */
    void listenForState() throws IOException {
        qmp.execute("migrate-set-capabilities",
                Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", true))),
                QMP_TIMEOUT);
        qmp.execute("migrate-incoming", Map.of("uri", "unix:" + run().incomingSocket()), QMP_TIMEOUT);
    }

    /**
     * Streams saved device state into this VMM and waits until it is loaded. The
     * guest then runs by itself, because the snapshot was taken of a running guest.
     * Nothing may be sent to the guest before this returns: bytes that reach the
     * serial port while state is loading are overwritten by the loaded state.
     */
    void loadState(byte[] deviceState) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(run().incomingSocket()));
            ByteBuffer buffer = ByteBuffer.wrap(deviceState);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
        awaitMigration("loading device state");
    }

    /** Polls until the running migration (in either direction) completed. */
    void awaitMigration(String what) throws IOException {
        long deadline = System.nanoTime() + MIGRATION_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String status = qmp.execute("query-migrate", Map.of(), QMP_TIMEOUT).path("status").asText();
            switch (status) {
                case "completed" -> {
                    return;
                }
                case "failed", "cancelled" -> throw new IOException(what + ": QEMU reports the migration " + status);
                default -> LockSupport.parkNanos(100_000);
            }
        }
        throw new IOException(what + " did not finish within " + MIGRATION_TIMEOUT.toSeconds() + " s");
    }

    @Override
    public void close() {
        closing = true;
        agent.close();
        qmp.close();
        kill(process);
        run().delete();
    }

    private static void kill(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
