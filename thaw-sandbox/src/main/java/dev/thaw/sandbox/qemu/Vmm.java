package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.OwnedProcesses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One QEMU process with its control (QMP), agent and console channels connected. It owns
 * the process, its run directory and its user id: {@link #close()} kills the process, deletes
 * the directory and frees the id, whatever state the VM is in.
 */
final class Vmm implements AutoCloseable {
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIGRATION_TIMEOUT = Duration.ofSeconds(30);
    /** How much of the guest console the node keeps per VM, last bytes first. */
    static final int DEFAULT_CONSOLE_CAP = 64 * 1024;
    /** How much of QEMU's own output the node keeps per VM. */
    static final int QEMU_OUTPUT_CAP = 16 * 1024;
    /** The whole environment QEMU gets: none of the node's variables (its tokens, store credentials). */
    private static final Map<String, String> ENVIRONMENT = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

    /**
     * How the driver starts VMMs.
     *
     * @param uids where confined VMMs get their user ids; null when they are not confined
     * @param rlimits apply {@link VmmJail.Limits}
     */
    record Launch(QemuInstallation qemu, VmmUids uids, boolean rlimits, int consoleCap) {
    }

    private final VmConfig config;
    private final Process process;
    private final QmpClient qmp;
    private final GuestChannel agent;
    private final BoundedLog output;
    private final BoundedLog console;
    private final VmmUids.Lease uid;
    private volatile boolean closing;

    private Vmm(VmConfig config, Process process, QmpClient qmp, GuestChannel agent, BoundedLog output,
            BoundedLog console, VmmUids.Lease uid) {
        this.config = config;
        this.process = process;
        this.qmp = qmp;
        this.agent = agent;
        this.output = output;
        this.console = console;
        this.uid = uid;
    }

    /** Starts QEMU and connects to it; on any failure nothing is left running. */
    static Vmm start(Launch launch, VmConfig config) throws IOException {
        RunDir run = config.run();
        VmmUids.Lease uid = null;
        Process process = null;
        BoundedLog output = null;
        try {
            VmmJail.presizeBootMemory(config);
            List<String> args = config.arguments(launch.qemu().binary());
            if (config.confined()) {
                uid = launch.uids().acquire();
                args = VmmJail.prepare(config, uid.uid(), args);
            } else if (launch.rlimits()) {
                args = VmmJail.limitsOnly(config, args);
            }
            ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(ENVIRONMENT);
            process = OwnedProcesses.start(builder, OwnedProcesses.CreatedFiles.PRIVATE);
            process.getOutputStream().close();
            output = BoundedLog.drain(process.getInputStream(), QEMU_OUTPUT_CAP, "qemu-output-" + run.id());
            return connect(config, process, output, launch.consoleCap(), uid);
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                kill(process);
                if (output != null) {
                    output.awaitEnd(1000);
                }
            }
            IOException failure = new IOException("QEMU did not start: " + e.getMessage()
                    + (output == null ? "" : diagnostics(output, null)), e);
            run.delete();
            if (uid != null && (process == null || !process.isAlive())) {
                uid.close(); // as in close(): a VMM that would not die keeps its id
            }
            throw failure;
        }
    }

    private static Vmm connect(VmConfig config, Process process, BoundedLog output, int consoleCap,
            VmmUids.Lease uid) throws IOException {
        RunDir run = config.run();
        long deadline = System.nanoTime() + QMP_TIMEOUT.toNanos();
        SocketChannel consoleChannel = UnixSockets.connect(run.consoleSocket(), process, deadline);
        BoundedLog console = BoundedLog.drain(Channels.newInputStream(consoleChannel), consoleCap,
                "guest-console-" + run.id());
        GuestChannel agent = null;
        try {
            agent = new GuestChannel(UnixSockets.connect(run.agentSocket(), process, deadline));
            QmpClient qmp = QmpClient.open(UnixSockets.connect(run.qmpSocket(), process, deadline), QMP_TIMEOUT);
            return new Vmm(config, process, qmp, agent, output, console, uid);
        } catch (IOException | RuntimeException e) {
            if (agent != null) {
                agent.close();
            }
            consoleChannel.close();
            throw e;
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

    /** The user id QEMU runs as when confined, else -1. */
    int uid() {
        return uid == null ? -1 : uid.uid();
    }

    /** The guest console output the node kept: the last bytes only. */
    BoundedLog console() {
        return console;
    }

    /** The last words of QEMU and the guest console, for error messages. */
    String diagnostics() {
        return diagnostics(output, console);
    }

    private static String diagnostics(BoundedLog output, BoundedLog console) {
        return indented("qemu", output.tail(5)) + (console == null ? "" : indented("console", console.tail(10)));
    }

    private static String indented(String name, String text) {
        return text.isEmpty() ? "" : "\n  " + name + ": " + text.replace("\n", "\n  ");
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
        output.awaitEnd(1000);
        return "QEMU process " + process.pid() + " exited with status " + process.exitValue() + diagnostics();
    }

    boolean isClosing() {
        return closing;
    }

    /** Makes this VMM listen for device state on its incoming socket (x-ignore-shared: RAM stays in the file). */
    void listenForState() throws IOException {
        qmp.execute("migrate-set-capabilities",
                Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", true))),
                QMP_TIMEOUT);
        qmp.execute("migrate-incoming", Map.of("uri", "unix:" + config.socketPath(run().incomingSocket())),
                QMP_TIMEOUT);
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
        if (uid != null && !process.isAlive()) {
            uid.close(); // a VMM that would not die keeps its id, so no other VMM shares its user
        }
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
