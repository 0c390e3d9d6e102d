package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.OwnedProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Chooses KVM only when a guest really boots under it. {@code /dev/kvm} existing
 * proves little: on some hosts a KVM guest hangs (a broken CPUID), so the probe
 * boots the guest kernel with a deadline and falls back to TCG.
 * {@code THAW_ACCEL=kvm|tcg} skips the probe.
 */
final class AcceleratorProbe {
    static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String MARKER = "THAW-PROBE-OK";

    /** The choice and why, for {@code thaw} to report. */
    record Choice(Accelerator accelerator, String reason) {
    }

    private AcceleratorProbe() {
    }

    static Choice choose(QemuInstallation qemu, Path kernel, Path initramfs, Path workDir) {
        String forced = System.getenv("THAW_ACCEL");
        if (forced != null && !forced.isBlank()) {
            return new Choice(Accelerator.valueOf(forced.strip().toUpperCase(java.util.Locale.ROOT)),
                    "THAW_ACCEL=" + forced);
        }
        Path kvm = Path.of("/dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return new Choice(Accelerator.TCG, "/dev/kvm is not available");
        }
        try {
            Duration booted = bootProbe(qemu, kernel, initramfs, workDir);
            return new Choice(Accelerator.KVM, "a probe guest booted under KVM in " + booted.toMillis() + " ms");
        } catch (IOException e) {
            return new Choice(Accelerator.TCG, "KVM probe failed: " + e.getMessage());
        }
    }

    private static Duration bootProbe(QemuInstallation qemu, Path kernel, Path initramfs, Path workDir)
            throws IOException {
        Files.createDirectories(workDir);
        Path console = Files.createTempFile(workDir, "kvm-probe", ".log");
        long started = System.nanoTime();
        Process process = OwnedProcesses.start(new ProcessBuilder(List.of(qemu.binary().toString(),
                "-M", "microvm", "-accel", "kvm", "-cpu", "host", "-m", "128M",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", kernel.toString(), "-initrd", initramfs.toString(),
                "-append", VmConfig.KERNEL_CMDLINE + " thaw.probe",
                "-serial", "file:" + console))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD),
                OwnedProcesses.CreatedFiles.PRIVATE);
        try {
            long deadline = started + DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                if (Files.readString(console, StandardCharsets.ISO_8859_1).contains(MARKER)) {
                    return Duration.ofNanos(System.nanoTime() - started);
                }
                if (!process.isAlive()) {
                    throw new IOException("QEMU exited with status " + process.exitValue() + " before the guest booted");
                }
                Thread.sleep(20);
            }
            throw new IOException("no guest userspace within " + DEADLINE.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(console);
        }
    }
}
