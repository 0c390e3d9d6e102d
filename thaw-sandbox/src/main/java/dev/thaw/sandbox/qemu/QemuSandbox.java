package dev.thaw.sandbox.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.sandbox.StartReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** A guest in a QEMU microVM, ready to serve. */
final class QemuSandbox implements Sandbox {
    /** Extra time the host gives the agent beyond the handler's own timeout before declaring the VM hung. */
    static final Duration HUNG_GRACE = Duration.ofSeconds(2);

    private final Vmm vmm;
    private final StartReport start;
    private final SnapshotWriter snapshots;
    private final Consumer<QemuSandbox> onClose;
    private final Object invocationLock = new Object();
    private volatile String deathReason;

    QemuSandbox(Vmm vmm, StartReport start, SnapshotWriter snapshots, Consumer<QemuSandbox> onClose) {
        this.vmm = vmm;
        this.start = start;
        this.snapshots = snapshots;
        this.onClose = onClose;
        vmm.onExit().thenRun(() -> {
            if (!vmm.isClosing()) {
                deathReason = vmm.exitDescription();
                close();
            }
        });
    }

    @Override
    public String id() {
        return vmm.run().id();
    }

    /** The QEMU process id, for operators and for tests that kill it. */
    long pid() {
        return vmm.pid();
    }

    /** What the node kept of the guest console. */
    BoundedLog console() {
        return vmm.console();
    }

    /** The run directory, which a confined QEMU has as its root. */
    Path runDir() {
        return vmm.run().dir();
    }

    @Override
    public StartReport start() {
        return start;
    }

    @Override
    public InvocationResult invoke(byte[] body, Duration timeout) throws SandboxException {
        synchronized (invocationLock) {
            requireAlive();
            long started = System.nanoTime();
            GuestChannel.Frame reply;
            try {
                reply = vmm.agent().request("invoke", Map.of("timeout_ms", Math.max(1, timeout.toMillis())), body,
                        timeout.plus(HUNG_GRACE));
            } catch (TimeoutException e) {
                die("the guest did not answer within " + timeout.plus(HUNG_GRACE).toMillis()
                        + " ms (handler timeout plus grace); the VM was stopped");
                throw new SandboxException("sandbox " + id() + ": " + deathReason);
            } catch (IOException e) {
                var violation = vmm.agent().violation();
                if (violation.isPresent()) {
                    // A guest that broke the protocol's bounds is not trusted with another request.
                    die(violation.get() + "; the VM was stopped");
                    throw new SandboxException("sandbox " + id() + ": " + deathReason, e);
                }
                throw new SandboxException("sandbox " + id() + " failed during an invocation: " + reasonFor(e), e);
            }
            double totalMs = (System.nanoTime() - started) / 1e6;
            JsonNode header = reply.header();
            double guestMs = header.path("ms").asDouble();
            if (header.path("ok").asBoolean()) {
                return new InvocationResult(InvocationResult.Outcome.OK, reply.body(), "", guestMs, totalMs);
            }
            InvocationResult.Outcome outcome = "timeout".equals(header.path("kind").asText())
                    ? InvocationResult.Outcome.TIMEOUT
                    : InvocationResult.Outcome.HANDLER_ERROR;
            return new InvocationResult(outcome, reply.body(), header.path("error").asText(), guestMs, totalMs);
        }
    }

    @Override
    public LocalSnapshot snapshot(Path dir) throws SandboxException {
        SnapshotWriter.Captured captured;
        synchronized (invocationLock) {
            requireAlive();
            try {
                captured = snapshots.capture(vmm, start.initMs(), dir);
            } catch (IOException e) {
                throw new SandboxException("snapshot of sandbox " + id() + " to " + dir + " failed: "
                        + reasonFor(e), e);
            }
        }
        try {
            return snapshots.seal(captured);
        } catch (IOException e) {
            throw new SandboxException("snapshot of sandbox " + id() + " to " + dir + " failed: " + e.getMessage(),
                    e);
        }
    }

    @Override
    public boolean isAlive() {
        return deathReason == null && vmm.isAlive() && !vmm.isClosing();
    }

    @Override
    public Optional<String> deathReason() {
        return Optional.ofNullable(deathReason);
    }

    private void requireAlive() throws SandboxException {
        if (deathReason != null) {
            throw new SandboxException("sandbox " + id() + " is dead: " + deathReason);
        }
        if (vmm.isClosing()) {
            throw new SandboxException("sandbox " + id() + " is closed");
        }
    }

    private String reasonFor(IOException e) {
        if (!vmm.isAlive() && !vmm.isClosing()) {
            die(vmm.exitDescription());
            return deathReason;
        }
        return e.getMessage();
    }

    private void die(String reason) {
        if (deathReason == null) {
            deathReason = reason;
        }
        close();
    }

    @Override
    public void close() {
        vmm.close();
        onClose.accept(this);
    }
}
