package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.Confinement;
import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds out at driver start which parts of VMM confinement this host allows, so the driver applies
 * all of them and says which it could not.
 */
final class ConfinementProbe {
    private static final Path CGROUP2_CONTROLLERS = Path.of("/sys/fs/cgroup/cgroup.controllers");

    private ConfinementProbe() {
    }

    /** What the driver applies; {@code wanted} false turns confinement off (for side-by-side benchmarks). */
    static Confinement probe(QemuInstallation qemu, boolean wanted, Path runRoot) throws IOException {
        if (!wanted) {
            return new Confinement(false, false, false, "none",
                    List.of("VMM confinement was turned off when the driver started"));
        }
        List<String> gaps = new ArrayList<>();
        boolean seccomp = seccompWorks(qemu, gaps);
        boolean root = isRoot();
        boolean tools = ExternalCommand.onPath("unshare") && ExternalCommand.onPath("mount")
                && ExternalCommand.onPath("chroot") && Files.isExecutable(Path.of("/usr/bin/setpriv"));
        boolean prlimit = Files.isExecutable(Path.of("/usr/bin/prlimit"));
        boolean underUsr = qemu.binary().toAbsolutePath().normalize().startsWith("/usr/");
        boolean jail = root && tools && prlimit && underUsr && jailWorks(runRoot, gaps);
        if (!root) {
            gaps.add("own user, mount namespace and chroot: the node does not run as root");
        } else if (!tools || !prlimit) {
            gaps.add("own user, mount namespace and chroot: unshare, mount, chroot, setpriv or prlimit is missing"
                    + " (scripts/install-host-deps.sh installs them)");
        } else if (!underUsr) {
            gaps.add("own user, mount namespace and chroot: " + qemu.binary() + " is not under /usr, the only"
                    + " program directory a confined VMM sees");
        }
        String limits;
        if (prlimit) {
            limits = "rlimits: address space = guest memory + 3 GiB, " + (jail ? "threads <= 96 + 2 per vCPU, " : "")
                    + "256 open files, no core dumps, no file growth";
            gaps.add("CPU time is bounded only by the vCPU count: " + cgroupState());
        } else {
            limits = "none";
            gaps.add("resource limits: prlimit is missing (util-linux)");
        }
        return new Confinement(seccomp, jail, jail, limits, gaps);
    }

    /** Starts QEMU once with the seccomp options; it refuses them if it was built without seccomp. */
    private static boolean seccompWorks(QemuInstallation qemu, List<String> gaps) throws IOException {
        ExternalCommand.Result result = ExternalCommand.run(List.of(qemu.binary().toString(), "-sandbox",
                VmConfig.SANDBOX, "-M", "none", "-display", "none", "-nodefaults", "-no-user-config", "-device", "help"),
                null, Duration.ofSeconds(10), Map.of());
        if (result.exitCode() == 0) {
            return true;
        }
        gaps.add("seccomp: " + qemu.binary() + " refuses -sandbox: "
                + ExternalCommand.lastLines(result.stderr() + result.stdout(), 2).strip());
        return false;
    }

    /**
     * Runs {@code true} the way a VMM is started, in a scratch directory: a container may allow
     * root no mount namespace, or no mounts in it.
     */
    private static boolean jailWorks(Path runRoot, List<String> gaps) throws IOException {
        Path dir = Files.createTempDirectory(runRoot, "probe-");
        try {
            List<String> mounts = VmmJail.programFiles(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            ExternalCommand.Result result = ExternalCommand.run(VmmJail.command(dir, mounts, VmmUids.BASE,
                    VmmUids.group(), "--clear-groups", List.of("/usr/bin/true")), null, Duration.ofSeconds(10), Map.of());
            if (result.exitCode() == 0) {
                return true;
            }
            gaps.add("own user, mount namespace and chroot: this host refuses them ("
                    + ExternalCommand.lastLines(result.stderr() + result.stdout(), 2).strip() + ")");
            return false;
        } finally {
            dev.thaw.sandbox.FileTrees.deleteQuietly(dir);
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String cgroupState() {
        try {
            if (Files.isReadable(CGROUP2_CONTROLLERS)) {
                return "cgroup v2 limits (cpu.max, memory.max, pids.max) are not applied yet (controllers here: "
                        + Files.readString(CGROUP2_CONTROLLERS).strip() + ")";
            }
        } catch (IOException e) {
            // fall through
        }
        return "this host has no cgroup v2 hierarchy with controllers at /sys/fs/cgroup";
    }
}
