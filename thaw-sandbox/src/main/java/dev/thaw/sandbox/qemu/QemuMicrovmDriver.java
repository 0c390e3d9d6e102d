package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.Confinement;
import dev.thaw.sandbox.DriverInfo;
import dev.thaw.sandbox.FileTrees;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * Runs functions in QEMU {@code microvm} guests.
 *
 * <p>Boot: guest RAM is a {@code memory-backend-file} with {@code share=on} in
 * this driver's run directory (on tmpfs), so a snapshot needs to save only device
 * state. Restore: a new VMM maps the snapshot's memory file with {@code share=off}
 * (private, copy-on-write, pages loaded lazily, one page cache copy shared by
 * every clone), waits with {@code -incoming defer}, and loads the device state
 * over a Unix socket. Then the agent gets fresh entropy so clones do not share
 * RNG state. This is HyperFork's flash-clone on stock QEMU.
 *
 * <p>Every VMM is confined (see {@link VmmJail}) as far as the host allows: {@link #confinement()}
 * says how far, and the driver logs it at start.
 */
public final class QemuMicrovmDriver implements SandboxDriver {
    private static final Logger LOG = System.getLogger(QemuMicrovmDriver.class.getName());
    private static final Duration RESEED_TIMEOUT = Duration.ofSeconds(10);

    /**
     * How the driver starts VMMs.
     *
     * @param confine confine VMMs as far as the host allows; false only to measure what confinement costs
     * @param consoleCap bytes of each guest's console output the node keeps
     */
    public record Options(boolean confine, int consoleCap) {
        public static final Options DEFAULT = new Options(true, Vmm.DEFAULT_CONSOLE_CAP);

        public Options {
            if (consoleCap < 1024 || consoleCap > (16 << 20)) {
                throw new IllegalArgumentException("consoleCap must be in 1 KiB..16 MiB, got " + consoleCap);
            }
        }
    }

    private final QemuInstallation qemu;
    private final Confinement confinement;
    private final Vmm.Launch launch;
    private final AcceleratorProbe.Choice accelerator;
    private final Path runRoot;
    private final Optional<Path> restorePreload;
    private final SnapshotWriter snapshots;
    private final SecureRandom random = new SecureRandom();
    private final Set<QemuSandbox> open = ConcurrentHashMap.newKeySet();
    private final Map<Path, VmmPool> pools = new ConcurrentHashMap<>();
    private final Map<Path, byte[]> deviceStates = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile boolean prestartStopped;

    private QemuMicrovmDriver(QemuInstallation qemu, AcceleratorProbe.Choice accelerator, Path runRoot, String node,
            Confinement confinement, Options options, Optional<Path> restorePreload) {
        this.qemu = qemu;
        this.confinement = confinement;
        this.launch = new Vmm.Launch(qemu, confinement.ownUser() ? new VmmUids() : null,
                !confinement.limits().equals("none"), options.consoleCap());
        this.accelerator = accelerator;
        this.runRoot = runRoot;
        this.restorePreload = restorePreload;
        this.snapshots = new SnapshotWriter(qemu.version(), node);
    }

    /**
     * Finds QEMU and chooses the accelerator (a probe boot of {@code kernel}, whose
     * verdict is remembered under {@code runRoot}'s parent until the host reboots).
     *
     * @param runRoot where VM sockets, logs and boot memory files go; a tmpfs such
     *     as {@code /dev/shm} keeps guest memory writes off the disk
     */
    public static QemuMicrovmDriver start(Path kernel, Path initramfs, Path runRoot, String node)
            throws IOException {
        return start(kernel, initramfs, runRoot, node, Options.DEFAULT);
    }

    /** {@link #start(Path, Path, Path, String)} with options. */
    public static QemuMicrovmDriver start(Path kernel, Path initramfs, Path runRoot, String node, Options options)
            throws IOException {
        QemuInstallation qemu = QemuInstallation.locate();
        StaleRunRoots.sweep(runRoot);
        FileTrees.createPrivateDirectories(runRoot);
        AcceleratorProbe.Choice choice = rememberedChoice(qemu, kernel, initramfs, runRoot.getParent());
        Confinement confinement = ConfinementProbe.probe(qemu, options.confine(), runRoot);
        LOG.log(confinement.complete() ? Level.INFO : Level.WARNING,
                "VMM confinement for node " + node + ": " + confinement.describe());
        return new QemuMicrovmDriver(qemu, choice, runRoot, node, confinement, options, VmmPreload.build(runRoot));
    }

    private static AcceleratorProbe.Choice rememberedChoice(QemuInstallation qemu, Path kernel, Path initramfs,
            Path dir) throws IOException {
        if (System.getenv("THAW_ACCEL") != null) {
            return AcceleratorProbe.choose(qemu, kernel, initramfs, dir);
        }
        Path verdict = dir.resolve("accel-" + qemu.version() + "-" + kernel.getFileName());
        if (Files.isRegularFile(verdict)) {
            String[] saved = Files.readString(verdict, StandardCharsets.UTF_8).split("\n", 2);
            return new AcceleratorProbe.Choice(Accelerator.valueOf(saved[0]), saved.length > 1 ? saved[1] : "");
        }
        AcceleratorProbe.Choice choice = AcceleratorProbe.choose(qemu, kernel, initramfs, dir);
        Files.writeString(verdict, choice.accelerator().name() + "\n" + choice.reason() + " (remembered until reboot)",
                StandardCharsets.UTF_8);
        return choice;
    }

    @Override
    public DriverInfo info() {
        return new DriverInfo(SnapshotWriter.DRIVER, qemu.version(), accelerator.accelerator().qemuName());
    }

    @Override
    public Confinement confinement() {
        return confinement;
    }

    /** Why this accelerator was chosen. */
    public String acceleratorReason() {
        return accelerator.reason();
    }

    @Override
    public Sandbox boot(BootSpec spec) throws SandboxException {
        requireOpen();
        long started = System.nanoTime();
        RunDir run;
        Vmm vmm;
        try {
            run = newRunDir();
            vmm = Vmm.start(launch, config(spec, run, run.bootMemory(), true, false));
        } catch (IOException e) {
            throw new SandboxException("could not start a VM for " + spec.function() + ": " + e.getMessage(), e);
        }
        long vmmUp = System.nanoTime();
        try {
            GuestChannel.Frame ready = vmm.agent().awaitReady(spec.initTimeout());
            if (ready.type().equals("init_error")) {
                String error = ready.header().path("error").asText();
                String trace = new String(ready.body(), StandardCharsets.UTF_8).strip();
                throw new SandboxException("function " + spec.function() + " failed to initialize: " + error
                        + (trace.isEmpty() ? "" : "\n" + trace));
            }
            long now = System.nanoTime();
            StartReport report = new StartReport(StartKind.BOOT, ms(vmmUp - started), ms(now - vmmUp), 0,
                    ready.header().path("init_ms").asDouble(), ms(now - started));
            return register(new QemuSandbox(vmm, report, snapshots, open::remove));
        } catch (TimeoutException e) {
            String reason = "function " + spec.function() + " was not ready within " + spec.initTimeout().toMillis()
                    + " ms" + vmm.diagnostics();
            vmm.close();
            throw new SandboxException(reason);
        } catch (IOException e) {
            String reason = vmm.isAlive() ? e.getMessage() : vmm.exitDescription();
            vmm.close();
            throw new SandboxException("VM for " + spec.function() + " failed while booting: " + reason, e);
        } catch (SandboxException | RuntimeException e) {
            vmm.close();
            throw e;
        }
    }

    @Override
    public Sandbox restore(BootSpec spec, LocalSnapshot snapshot) throws SandboxException {
        requireOpen();
        requireCompatible(spec, snapshot);
        long started = System.nanoTime();
        VmmPool pool = pools.get(snapshot.dir());
        Vmm vmm = pool == null ? null : pool.take();
        StartKind kind = vmm == null ? StartKind.RESTORE : StartKind.RESTORE_POOLED;
        try {
            if (vmm == null) {
                vmm = startListening(spec, snapshot);
            }
        } catch (IOException e) {
            throw new SandboxException("could not start a VMM to restore " + snapshot.dir() + ": " + e.getMessage(),
                    e);
        }
        long vmmUp = System.nanoTime();
        try {
            vmm.loadState(deviceState(snapshot));
            long loaded = System.nanoTime();
            reseed(vmm);
            long now = System.nanoTime();
            StartReport report = new StartReport(kind, ms(vmmUp - started), ms(loaded - vmmUp), ms(now - loaded),
                    snapshot.info().initMs(), ms(now - started));
            return register(new QemuSandbox(vmm, report, snapshots, open::remove));
        } catch (IOException | TimeoutException | RuntimeException e) {
            String reason = vmm.isAlive() ? e.getMessage() : vmm.exitDescription();
            vmm.close();
            throw new SandboxException("restoring " + snapshot.dir() + " failed: " + reason, e);
        }
    }

    /**
     * Gives a restored clone its own identity: clones of one snapshot share the
     * guest kernel's CRNG state and the language runtime's random state until
     * fresh host entropy is mixed in and both are reseeded. The host clock comes along,
     * since the guest's clock stopped when the snapshot was taken.
     */
    private void reseed(Vmm vmm) throws IOException, TimeoutException {
        byte[] entropy = new byte[64];
        random.nextBytes(entropy);
        vmm.agent().request("reseed", Map.of("time_ns", System.currentTimeMillis() * 1_000_000L), entropy,
                RESEED_TIMEOUT);
    }

    @Override
    public void prestart(BootSpec spec, LocalSnapshot snapshot, int count) throws SandboxException {
        requireOpen();
        requireCompatible(spec, snapshot);
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (prestartStopped) {
            throw new SandboxException("the driver no longer pre-starts VMMs: it is shutting down");
        }
        VmmPool pool = pools.computeIfAbsent(snapshot.dir(),
                dir -> new VmmPool(() -> startListening(spec, snapshot), 0));
        pool.resize(count);
        if (prestartStopped) {
            // stopPrestarting ran meanwhile and may not have seen this pool
            pools.remove(snapshot.dir(), pool);
            pool.close();
        }
    }

    @Override
    public void stopPrestarting() {
        prestartStopped = true;
        for (Path dir : List.copyOf(pools.keySet())) {
            VmmPool pool = pools.remove(dir);
            if (pool != null) {
                pool.close();
            }
        }
    }

    private Vmm startListening(BootSpec spec, LocalSnapshot snapshot) throws IOException {
        RunDir run = newRunDir();
        Vmm vmm = Vmm.start(launch, config(spec, run, snapshot.memory(), false, true));
        try {
            vmm.listenForState();
            return vmm;
        } catch (IOException | RuntimeException e) {
            vmm.close();
            throw e;
        }
    }

    private VmConfig config(BootSpec spec, RunDir run, Path memory, boolean shared, boolean incoming) {
        // only restores need the preload: a boot's memory is its own tmpfs file, read by nobody else
        return new VmConfig(spec, accelerator.accelerator(), run, memory, shared, incoming,
                confinement.mountNamespace(), confinement.seccomp(), incoming ? restorePreload : Optional.empty());
    }

    private byte[] deviceState(LocalSnapshot snapshot) throws IOException {
        byte[] cached = deviceStates.get(snapshot.dir());
        if (cached == null) {
            cached = Files.readAllBytes(snapshot.deviceState());
            deviceStates.put(snapshot.dir(), cached);
        }
        return cached;
    }

    private void requireCompatible(BootSpec spec, LocalSnapshot snapshot) throws SandboxException {
        Optional<String> problem = SnapshotCompatibility.problem(snapshot.info(), spec, info());
        if (problem.isPresent()) {
            throw new SandboxException("cannot restore " + snapshot.dir() + ": " + problem.get());
        }
    }

    @Override
    public void forget(Path snapshotDir) {
        VmmPool pool = pools.remove(snapshotDir);
        if (pool != null) {
            pool.close();
        }
        deviceStates.remove(snapshotDir);
    }

    private RunDir newRunDir() throws IOException {
        byte[] id = new byte[4];
        random.nextBytes(id);
        return RunDir.create(runRoot, "vm-" + HexFormat.of().formatHex(id));
    }

    private QemuSandbox register(QemuSandbox sandbox) throws SandboxException {
        open.add(sandbox);
        if (closed) {
            sandbox.close();
            throw new SandboxException("the driver was closed");
        }
        return sandbox;
    }

    private void requireOpen() throws SandboxException {
        if (closed) {
            throw new SandboxException("the driver was closed");
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    @Override
    public void close() {
        closed = true;
        stopPrestarting();
        for (QemuSandbox sandbox : open.toArray(QemuSandbox[]::new)) {
            sandbox.close();
        }
        restorePreload.ifPresent(library -> FileTrees.deleteQuietly(library.getParent()));
    }
}
