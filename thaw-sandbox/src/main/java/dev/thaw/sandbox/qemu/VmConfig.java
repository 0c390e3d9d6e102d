package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.BootSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The QEMU command line of one microVM. Boot and restore use the same machine,
 * differing only in how guest memory is mapped and whether the VMM waits for
 * incoming state: a restore must present exactly the devices the snapshot saw.
 *
 * @param memoryFile the file backing guest RAM
 * @param sharedMemory {@code share=on} (a booting VM: its memory file becomes the
 *     snapshot's) or {@code share=off} (a restored clone: a private copy-on-write
 *     mapping of the snapshot's memory file, so clones never see each other's writes)
 * @param incoming wait with {@code -incoming defer} for device state instead of booting
 * @param confined QEMU is chrooted into its run directory (see {@link VmmJail}): every path it is
 *     given is then one inside that directory, and files from elsewhere are mounted there
 * @param seccomp start QEMU with its seccomp filter
 * @param preload a library QEMU runs with ({@code LD_PRELOAD}; see {@link VmmPreload}), or empty
 */
record VmConfig(BootSpec spec, Accelerator accelerator, RunDir run, Path memoryFile, boolean sharedMemory,
        boolean incoming, boolean confined, boolean seccomp, Optional<Path> preload) {

    /**
     * Kernel parameters. {@code lpj} and {@code no_timer_check} skip delay-loop
     * calibration and the timer check, which can hang or take long under TCG.
     * {@code init_on_free=1} zeroes pages as they are freed, so free memory is zero
     * pages the store never holds (see docs/snapshots.md, "Smaller, alike snapshots").
     * Address randomization stays on: fixed addresses were tried for more alike
     * boots and not kept, since an address learnt in one's own function would hold in
     * every other's.
     */
    static final String KERNEL_CMDLINE = "console=ttyS0 reboot=t panic=-1 quiet lpj=5000000 no_timer_check "
            + "init_on_free=1 rdinit=/init";

    /**
     * QEMU's seccomp filter: besides its default deny list, no obsolete system calls, no set*uid,
     * no fork or exec, no changes to scheduling or memory policy.
     */
    static final String SANDBOX = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /**
     * A host file QEMU reads from outside its run directory, and the name it is mounted under there
     * when QEMU is confined.
     *
     * @param writable QEMU opens it for writing (QEMU 7.2 opens a memory file read-write even
     *     when it maps it privately)
     */
    record HostFile(Path source, String name, boolean writable) {
    }

    /** Under TCG the guest is told the TSC rate (see {@link HostTsc}); under KVM it learns it from the CPU. */
    String kernelCommandLine() {
        if (accelerator == Accelerator.TCG && HostTsc.khz().isPresent()) {
            return KERNEL_CMDLINE + " tsc_early_khz=" + HostTsc.khz().getAsLong();
        }
        return KERNEL_CMDLINE;
    }

    /** The files from outside the run directory that QEMU opens: kernel, initramfs, disks, a snapshot's memory. */
    List<HostFile> hostFiles() {
        List<HostFile> files = new ArrayList<>(List.of(
                new HostFile(spec.kernel(), "kernel", false),
                new HostFile(spec.initramfs(), "initrd", false)));
        for (int i = 0; i < spec.disks().size(); i++) {
            files.add(new HostFile(spec.disks().get(i), "disk" + i, false));
        }
        if (!memoryFile.startsWith(run.dir())) {
            files.add(new HostFile(memoryFile, "snapshot-mem", true));
        }
        preload.ifPresent(library -> files.add(new HostFile(library, VmmPreload.LIBRARY, false)));
        return files;
    }

    /** How QEMU names {@code file}: a run directory file or one of {@link #hostFiles()}. */
    private String path(Path file) {
        if (!confined) {
            return file.toString();
        }
        if (file.startsWith(run.dir())) {
            return run.qemuPath(file, true);
        }
        return hostFiles().stream().filter(f -> f.source().equals(file)).findFirst()
                .map(f -> "/" + f.name())
                .orElseThrow(() -> new IllegalArgumentException(file + " is not mounted for QEMU"));
    }

    /** The path QEMU uses for a socket of its run directory (migration sockets are named at run time). */
    String socketPath(Path socket) {
        return run.qemuPath(socket, confined);
    }

    List<String> arguments(Path qemuBinary) {
        int memoryMib = spec.shape().memoryMib();
        List<String> args = new ArrayList<>();
        // env sets the variable for QEMU alone, not for the jail's tools that run before it
        preload.ifPresent(library -> args.addAll(List.of("/usr/bin/env", "LD_PRELOAD=" + path(library))));
        args.add(qemuBinary.toString());
        if (seccomp) {
            args.addAll(List.of("-sandbox", SANDBOX));
        }
        args.addAll(List.of(
                "-name", "thaw-" + spec.function() + "-" + run.id(),
                "-M", "microvm,memory-backend=mem",
                "-accel", accelerator.qemuName(),
                "-cpu", accelerator.cpuModel(),
                "-m", memoryMib + "M",
                "-smp", Integer.toString(spec.shape().vcpus()),
                "-object", "memory-backend-file,id=mem,size=" + memoryMib + "M,mem-path=" + path(memoryFile)
                        + ",share=" + (sharedMemory ? "on" : "off"),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", path(spec.kernel()),
                "-initrd", path(spec.initramfs()),
                "-append", kernelCommandLine(),
                "-chardev", "socket,id=console,path=" + socketPath(run.consoleSocket()) + ",server=on,wait=off",
                "-serial", "chardev:console",
                "-chardev", "socket,id=agent,path=" + socketPath(run.agentSocket()) + ",server=on,wait=off",
                "-device", "isa-serial,chardev=agent,index=1",
                "-qmp", "unix:" + socketPath(run.qmpSocket()) + ",server=on,wait=off"));
        for (int i = 0; i < spec.disks().size(); i++) {
            args.addAll(List.of(
                    "-drive", "id=disk" + i + ",file=" + path(spec.disks().get(i)) + ",format=raw,if=none,readonly=on",
                    "-device", "virtio-blk-device,drive=disk" + i));
        }
        if (incoming) {
            args.addAll(List.of("-incoming", "defer"));
        }
        return args;
    }
}
