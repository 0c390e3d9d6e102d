package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.BootSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
 */
record VmConfig(BootSpec spec, Accelerator accelerator, RunDir run, Path memoryFile, boolean sharedMemory,
        boolean incoming) {

    /**
     * Kernel parameters. {@code lpj} and {@code no_timer_check} skip delay-loop
     * calibration and the timer check, which can hang or take long under TCG.
     */
    static final String KERNEL_CMDLINE = "console=ttyS0 reboot=t panic=-1 quiet lpj=5000000 no_timer_check "
            + "rdinit=/init";

    /** Under TCG the guest is told the TSC rate (see {@link HostTsc}); under KVM it learns it from the CPU. */
    String kernelCommandLine() {
        if (accelerator == Accelerator.TCG && HostTsc.khz().isPresent()) {
            return KERNEL_CMDLINE + " tsc_early_khz=" + HostTsc.khz().getAsLong();
        }
        return KERNEL_CMDLINE;
    }

    List<String> arguments(Path qemuBinary) {
        int memoryMib = spec.shape().memoryMib();
        List<String> args = new ArrayList<>(List.of(
                qemuBinary.toString(),
                "-name", "thaw-" + spec.function() + "-" + run.id(),
                "-M", "microvm,memory-backend=mem",
                "-accel", accelerator.qemuName(),
                "-cpu", accelerator.cpuModel(),
                "-m", memoryMib + "M",
                "-smp", Integer.toString(spec.shape().vcpus()),
                "-object", "memory-backend-file,id=mem,size=" + memoryMib + "M,mem-path=" + memoryFile
                        + ",share=" + (sharedMemory ? "on" : "off"),
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-kernel", spec.kernel().toString(),
                "-initrd", spec.initramfs().toString(),
                "-append", kernelCommandLine(),
                "-chardev", "file,id=console,path=" + run.consoleLog(),
                "-serial", "chardev:console",
                "-chardev", "socket,id=agent,path=" + run.agentSocket() + ",server=on,wait=off",
                "-device", "isa-serial,chardev=agent,index=1",
                "-qmp", "unix:" + run.qmpSocket() + ",server=on,wait=off"));
        for (int i = 0; i < spec.disks().size(); i++) {
            args.addAll(List.of(
                    "-drive", "id=disk" + i + ",file=" + spec.disks().get(i) + ",format=raw,if=none,readonly=on",
                    "-device", "virtio-blk-device,drive=disk" + i));
        }
        if (incoming) {
            args.addAll(List.of("-incoming", "defer"));
        }
        return args;
    }
}
