package dev.thaw.testkit;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.DriverInfo;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.sandbox.SnapshotCompatibility;
import dev.thaw.sandbox.StartKind;
import dev.thaw.sandbox.StartReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link SandboxDriver} whose guests live in this JVM: it boots, snapshots, restores, clones
 * (pre-started restores), invokes and stops exactly as the driver contract says, with
 * deterministic results and no QEMU, so the node's runtime, cache and HTTP API can be exercised
 * in milliseconds. A snapshot is real files ({@code info.json}, {@code mem}, {@code vmstate}) so
 * the node's cache and store handle it as they handle any other.
 *
 * <p>Invocations run a handler (by default an echo: {@code "echo:" + body}). A test can hold them
 * ({@link #holdInvocations()}) to have requests in flight for as long as it needs, and inject
 * failures: the next starts fail, invocations fail, an instance dies. Start costs are reported
 * from configured durations ({@link #withStartCosts}) rather than waited for; nothing here sleeps.
 * Thread-safe.
 */
public final class InMemoryDriver implements SandboxDriver {
    public static final String NAME = "in-memory";
    public static final String VERSION = "1";

    private final String node;
    private final InstantSource clock;
    private final Map<String, MemorySandbox> open = new ConcurrentHashMap<>();
    private final Map<Path, Integer> prestarted = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger boots = new AtomicInteger();
    private final AtomicInteger restores = new AtomicInteger();
    private final AtomicInteger clones = new AtomicInteger();
    private final AtomicInteger invocations = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger stopped = new AtomicInteger();
    private final AtomicInteger failStarts = new AtomicInteger();
    private final AtomicReference<String> failInvocations = new AtomicReference<>();
    private final ReentrantLock gate = new ReentrantLock();
    private final Condition released = gate.newCondition();
    private boolean holding;
    private long releases;
    private volatile Function<byte[], InvocationResult> handler = InMemoryDriver::echo;
    private volatile Duration bootCost = Duration.ofMillis(20);
    private volatile Duration restoreCost = Duration.ofMillis(2);
    private volatile Duration initCost = Duration.ofMillis(10);
    private volatile boolean prestarting = true;
    private volatile boolean closed;

    /** A driver for {@code node}, stamping snapshots with the system clock. */
    public InMemoryDriver(String node) {
        this(node, InstantSource.system());
    }

    /** A driver for {@code node}; {@code clock} stamps the snapshots it takes. */
    public InMemoryDriver(String node, InstantSource clock) {
        this.node = node;
        this.clock = clock;
    }

    /** The handler every invocation runs from now on. */
    public InMemoryDriver withHandler(Function<byte[], InvocationResult> handler) {
        this.handler = handler;
        return this;
    }

    /** What boots, restores and the function's init phase report they cost (nothing waits for them). */
    public InMemoryDriver withStartCosts(Duration boot, Duration restore, Duration init) {
        this.bootCost = boot;
        this.restoreCost = restore;
        this.initCost = init;
        return this;
    }

    /** The default handler: answers {@code "echo:" + body}. */
    public static InvocationResult echo(byte[] body) {
        byte[] answer = ("echo:" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return new InvocationResult(InvocationResult.Outcome.OK, answer, "", 1.0, 1.5);
    }

    // ---- failure injection and control

    /** The next {@code count} boots or restores fail as a VMM that does not come up fails. */
    public void failNextStarts(int count) {
        failStarts.set(count);
    }

    /** Every invocation from now on fails with {@code reason}, the guest staying alive; null ends that. */
    public void failInvocations(String reason) {
        failInvocations.set(reason);
    }

    /** Kills the sandbox {@code id} as a VM that crashed: it stays dead and says why. */
    public void kill(String id, String reason) {
        MemorySandbox sandbox = open.get(id);
        if (sandbox == null) {
            throw new IllegalArgumentException("no open sandbox " + id);
        }
        sandbox.die(reason);
    }

    /** Invocations from now on wait (as a slow handler does) until {@link #releaseInvocations()}. */
    public void holdInvocations() {
        gate.lock();
        try {
            holding = true;
        } finally {
            gate.unlock();
        }
    }

    /** Lets every held invocation, and every later one, run. */
    public void releaseInvocations() {
        gate.lock();
        try {
            holding = false;
            releases++;
            released.signalAll();
        } finally {
            gate.unlock();
        }
    }

    // ---- what happened

    public int boots() {
        return boots.get();
    }

    /** Restores into a new VMM (not counting clones). */
    public int restores() {
        return restores.get();
    }

    /** Restores into a pre-started VMM. */
    public int clones() {
        return clones.get();
    }

    /** Every start: boots, restores and clones. */
    public int starts() {
        return boots.get() + restores.get() + clones.get();
    }

    public int invocations() {
        return invocations.get();
    }

    /** Invocations that have begun and not yet returned (held ones included). */
    public int invocationsInFlight() {
        return inFlight.get();
    }

    /** Sandboxes stopped by {@link Sandbox#close()} or by this driver's close. */
    public int stopped() {
        return stopped.get();
    }

    /** The ids of the sandboxes open now, dead ones included until closed. */
    public List<String> openSandboxes() {
        return List.copyOf(open.keySet());
    }

    /** How many pre-started VMMs the node asked for on the snapshot at {@code dir}; 0 when none. */
    public int prestarted(Path dir) {
        return prestarted.getOrDefault(dir, 0);
    }

    // ---- the driver contract

    @Override
    public DriverInfo info() {
        return new DriverInfo(NAME, VERSION, "none");
    }

    @Override
    public Sandbox boot(BootSpec spec) throws SandboxException {
        requireOpen();
        takeInjectedFailure("boot");
        boots.incrementAndGet();
        double boot = millis(bootCost);
        double init = millis(initCost);
        // The boot's total is its configured cost; the init phase is part of it, as in a guest.
        return register(new MemorySandbox(spec, new StartReport(StartKind.BOOT, 0, boot - init, 0, init, boot),
                init));
    }

    @Override
    public Sandbox restore(BootSpec spec, LocalSnapshot snapshot) throws SandboxException {
        requireOpen();
        Optional<String> problem = SnapshotCompatibility.problem(snapshot.info(), spec, info());
        if (problem.isPresent()) {
            throw new SandboxException("cannot restore " + snapshot.dir() + ": " + problem.get());
        }
        if (!Files.isRegularFile(snapshot.memory()) || !Files.isRegularFile(snapshot.deviceState())) {
            throw new SandboxException("cannot restore " + snapshot.dir() + ": its memory or device state is missing");
        }
        takeInjectedFailure("restore");
        boolean pooled = prestarting && prestarted(snapshot.dir()) > 0;
        (pooled ? clones : restores).incrementAndGet();
        double restore = millis(restoreCost);
        StartReport report = pooled ? new StartReport(StartKind.RESTORE_POOLED, 0, restore, 0.5,
                snapshot.info().initMs(), restore + 0.5)
                : new StartReport(StartKind.RESTORE, 1, restore, 0.5, snapshot.info().initMs(), restore + 1.5);
        return register(new MemorySandbox(spec, report, snapshot.info().initMs()));
    }

    @Override
    public void prestart(BootSpec spec, LocalSnapshot snapshot, int count) throws SandboxException {
        if (!prestarting || closed) {
            throw new SandboxException("this driver no longer pre-starts VMMs: it is shutting down");
        }
        if (count == 0) {
            prestarted.remove(snapshot.dir());
        } else {
            prestarted.put(snapshot.dir(), count);
        }
    }

    @Override
    public void forget(Path snapshotDir) {
        prestarted.remove(snapshotDir);
    }

    @Override
    public void stopPrestarting() {
        prestarting = false;
        prestarted.clear();
    }

    @Override
    public void close() {
        closed = true;
        stopPrestarting();
        List.copyOf(open.values()).forEach(MemorySandbox::close);
        releaseInvocations(); // nothing stays blocked in a driver that is gone
    }

    private void requireOpen() throws SandboxException {
        if (closed) {
            throw new SandboxException("the driver is closed");
        }
    }

    private void takeInjectedFailure(String what) throws SandboxException {
        if (failStarts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new SandboxException(what + " failed: the VMM did not come up (injected failure)");
        }
    }

    private Sandbox register(MemorySandbox sandbox) {
        open.put(sandbox.id, sandbox);
        return sandbox;
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }

    /** Waits while invocations are held; false if the timeout passed first. */
    private boolean awaitGate(Duration timeout) throws InterruptedException {
        gate.lock();
        try {
            long seen = releases;
            long left = timeout.toNanos();
            while (holding && releases == seen) {
                if (left <= 0) {
                    return false;
                }
                left = released.awaitNanos(left);
            }
            return true;
        } finally {
            gate.unlock();
        }
    }

    private final class MemorySandbox implements Sandbox {
        private final String id = node + "-i" + ids.incrementAndGet();
        private final BootSpec spec;
        private final StartReport start;
        private final double initMs;
        private final ReentrantLock serial = new ReentrantLock(true);
        private volatile String deathReason;
        private volatile boolean closed;

        MemorySandbox(BootSpec spec, StartReport start, double initMs) {
            this.spec = spec;
            this.start = start;
            this.initMs = initMs;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public StartReport start() {
            return start;
        }

        @Override
        public InvocationResult invoke(byte[] body, Duration timeout) throws SandboxException {
            requireAlive();
            try {
                if (!serial.tryLock(timeout.toNanos() + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS)) {
                    throw new SandboxException("sandbox " + id + " did not answer: an earlier invocation still runs");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while waiting for sandbox " + id);
            }
            inFlight.incrementAndGet();
            try {
                invocations.incrementAndGet();
                if (!awaitGate(timeout)) {
                    return new InvocationResult(InvocationResult.Outcome.TIMEOUT, new byte[0],
                            "the handler did not finish within " + timeout.toMillis() + " ms", millis(timeout),
                            millis(timeout));
                }
                requireAlive(); // died while it waited
                String failure = failInvocations.get();
                if (failure != null) {
                    throw new SandboxException("invoking sandbox " + id + " failed: " + failure);
                }
                return handler.apply(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while invoking sandbox " + id);
            } finally {
                inFlight.decrementAndGet();
                serial.unlock();
            }
        }

        @Override
        public LocalSnapshot snapshot(Path dir) throws SandboxException {
            requireAlive();
            if (Files.exists(dir)) {
                throw new SandboxException("cannot snapshot into " + dir + ": it already exists");
            }
            Path staging = null;
            try {
                Path parent = dir.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                staging = Files.createTempDirectory(parent, "." + dir.getFileName() + ".partial-");
                // Deterministic contents: the same function and revision give the same bytes on every node.
                String state = spec.function() + "/" + spec.revision() + "/" + spec.kernelDigest() + "/"
                        + spec.diskDigests();
                Files.writeString(staging.resolve(LocalSnapshot.MEMORY), "memory of " + state);
                Files.writeString(staging.resolve(LocalSnapshot.DEVICE_STATE), "devices of " + state);
                Map<String, SnapshotInfo.FileEntry> files = new LinkedHashMap<>();
                for (String name : List.of(LocalSnapshot.MEMORY, LocalSnapshot.DEVICE_STATE)) {
                    files.put(name, FileDigests.describe(staging.resolve(name)));
                }
                SnapshotInfo info = new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, spec.function(), spec.revision(),
                        NAME, VERSION, spec.shape(), spec.kernelDigest(), spec.diskDigests(), files, clock.instant(),
                        node, initMs);
                info.write(staging.resolve(SnapshotInfo.FILE_NAME));
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                return LocalSnapshot.open(dir);
            } catch (IOException | SnapshotFormatException | RuntimeException e) {
                if (staging != null) {
                    FileTrees.deleteQuietly(staging);
                }
                throw new SandboxException("cannot snapshot sandbox " + id + " into " + dir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public boolean isAlive() {
            return deathReason == null && !closed;
        }

        @Override
        public Optional<String> deathReason() {
            return Optional.ofNullable(deathReason);
        }

        void die(String reason) {
            deathReason = reason;
        }

        private void requireAlive() throws SandboxException {
            if (closed) {
                throw new SandboxException("sandbox " + id + " is stopped");
            }
            if (deathReason != null) {
                throw new SandboxException("sandbox " + id + " died: " + deathReason);
            }
        }

        @Override
        public void close() {
            if (open.remove(id, this)) {
                closed = true;
                stopped.incrementAndGet();
            }
        }
    }
}
