package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Confines one QEMU process, after Firecracker's jailer. The process starts as root in a mount
 * namespace of its own ({@code unshare --mount}), where read-only bind mounts put into its run
 * directory exactly what it needs: QEMU's program files ({@code /usr}), the kernel, initramfs and
 * disks, a snapshot's memory file, and {@code /dev/null}, {@code /dev/urandom} (and {@code /dev/kvm}
 * under KVM). It then chroots into the run directory, becomes a user of its own with no
 * capabilities, no supplementary groups and {@code no_new_privs} ({@code setpriv}), takes its
 * resource limits ({@code prlimit}) and execs QEMU, which loads its seccomp filter. Every step
 * execs the next in the same process, so the pid the node holds is QEMU's and the parent-death
 * signal set by {@link dev.thaw.sandbox.OwnedProcesses} stays armed. Mounts vanish with the
 * namespace when QEMU exits.
 *
 * <p>In the run directory QEMU may write only its socket directory and, when booting, its own
 * memory file; all else there is root's. The mount namespace is the node's own, so sockets QEMU
 * creates in its run directory are the node's to connect to.
 */
final class VmmJail {
    /** Mounts each {@code OPTIONS SOURCE TARGET} triple under the run directory, then chroots and runs the rest. */
    private static final String SCRIPT = "r=$1; shift; "
            + "while [ \"$1\" != -- ]; do mount -o \"$1\" -- \"$2\" \"$r/$3\" || exit 126; shift 3; done; "
            + "shift; exec chroot \"$r\" \"$@\"";
    private static final String READ_ONLY = "bind,ro,nosuid,nodev";
    private static final Set<PosixFilePermission> SEARCH_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    private static final Path KVM = Path.of("/dev/kvm");

    /**
     * Resource limits of one VMM.
     *
     * @param addressSpaceBytes {@code RLIMIT_AS}: guest memory plus QEMU's own (and TCG's code buffer)
     * @param processes {@code RLIMIT_NPROC}: threads of the VMM's user, which is its alone
     * @param openFiles {@code RLIMIT_NOFILE}
     */
    record Limits(long addressSpaceBytes, int processes, int openFiles) {
        /** Room for QEMU beside guest memory: libraries, thread stacks, TCG's 1 GiB translation buffer. */
        static final long OVERHEAD_BYTES = 3L << 30;

        static Limits forGuest(int memoryMib, int vcpus) {
            return new Limits(((long) memoryMib << 20) + OVERHEAD_BYTES, 96 + 2 * vcpus, 256);
        }

        /** {@code prlimit} options; no core dumps (they would hold guest memory) and no file growth. */
        List<String> prlimitOptions() {
            return List.of("--as=" + addressSpaceBytes, "--nproc=" + processes, "--nofile=" + openFiles, "--core=0",
                    "--fsize=0");
        }
    }

    private VmmJail() {
    }

    /**
     * Readies {@code config}'s run directory for a VMM confined to it as {@code uid} and returns the
     * command that starts {@code qemuArgs} confined. Must run as root. A booting VM's memory file
     * must exist at its full size already (see {@link #presizeBootMemory}).
     */
    static List<String> prepare(VmConfig config, int uid, List<String> qemuArgs) throws IOException {
        RunDir run = config.run();
        Path dir = run.dir();
        int gid = VmmUids.group();
        Files.setPosixFilePermissions(dir, SEARCH_ONLY);
        own(run.socketDir(), uid, gid);
        if (config.sharedMemory()) {
            own(run.bootMemory(), uid, gid);
        }
        List<String> mounts = programFiles(dir);
        List<String> devices = new ArrayList<>(List.of("null", "urandom"));
        if (config.accelerator() == Accelerator.KVM) {
            devices.add("kvm");
        }
        for (String device : devices) {
            placeholder(dir.resolve("dev").resolve(device));
            mounts.addAll(List.of("bind,nosuid", "/dev/" + device, "dev/" + device));
        }
        for (VmConfig.HostFile file : config.hostFiles()) {
            grant(file.source(), file.writable(), gid);
            placeholder(dir.resolve(file.name()));
            mounts.addAll(List.of(file.writable() ? "bind,nosuid,nodev" : READ_ONLY, file.source().toString(),
                    file.name()));
        }

        Limits limits = Limits.forGuest(config.spec().shape().memoryMib(), config.spec().shape().vcpus());
        List<String> program = new ArrayList<>(List.of("/usr/bin/prlimit"));
        program.addAll(limits.prlimitOptions());
        program.add("--");
        program.addAll(qemuArgs);
        String groups = config.accelerator() == Accelerator.KVM ? "--groups=" + kvmGroup() : "--clear-groups";
        return command(dir, mounts, uid, gid, groups, program);
    }

    /**
     * Lays out what every confined process needs in {@code dir} (QEMU's program files, the
     * dynamic linker's cache, a {@code /dev}) and returns the mounts that fill it.
     */
    static List<String> programFiles(Path dir) throws IOException {
        List<String> mounts = new ArrayList<>();
        // Mount points are the node's own (0700, 0600): once mounted over, only the mounted file's
        // mode counts. Directories the VMM walks through are search-only for it.
        Files.createDirectory(dir.resolve("usr"), PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_DIRECTORY));
        mounts.addAll(List.of(READ_ONLY, "/usr", "usr"));
        for (String link : List.of("lib", "lib64", "bin", "sbin")) {
            Files.createSymbolicLink(dir.resolve(link), Path.of("usr", link));
        }
        Files.createDirectory(dir.resolve("etc"), PosixFilePermissions.asFileAttribute(SEARCH_ONLY));
        placeholder(dir.resolve("etc/ld.so.cache"));
        mounts.addAll(List.of(READ_ONLY, "/etc/ld.so.cache", "etc/ld.so.cache"));
        Files.createDirectory(dir.resolve("dev"), PosixFilePermissions.asFileAttribute(SEARCH_ONLY));
        return mounts;
    }

    /**
     * The command that mounts {@code mounts} into {@code dir} in a new mount namespace, chroots
     * there and runs {@code program} as {@code uid}:{@code gid} with no capabilities.
     */
    static List<String> command(Path dir, List<String> mounts, int uid, int gid, String groups, List<String> program) {
        List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", SCRIPT, "thaw-jail", dir.toString()));
        command.addAll(mounts);
        command.add("--");
        // Changing the user clears the parent-death signal armed when the process started, so it is
        // armed again after the change, and then the parent is checked once more: a node that died in
        // between must not leave its VMM running.
        command.addAll(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, groups, "--no-new-privs",
                "--inh-caps=-all", "--bounding-set=-all", "--pdeathsig=KILL", "--",
                "/bin/sh", "-c", "[ \"$PPID\" = \"$1\" ] || exit 125; shift; exec \"$@\"", "thaw-vmm",
                Long.toString(ProcessHandle.current().pid())));
        command.addAll(program);
        return command;
    }

    /**
     * Creates a booting VM's memory file at its full size (sparse, so free on tmpfs): QEMU runs with
     * no right to grow files, so that it cannot fill the node's tmpfs.
     */
    static void presizeBootMemory(VmConfig config) throws IOException {
        if (config.sharedMemory()) {
            Files.createFile(config.run().bootMemory(),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (RandomAccessFile file = new RandomAccessFile(config.run().bootMemory().toFile(), "rw")) {
                file.setLength((long) config.spec().shape().memoryMib() << 20);
            }
        }
    }

    /**
     * The limits alone, for a VMM that cannot be chrooted (the node does not run as root). No
     * process count: without a user of its own it would count the node's processes too.
     */
    static List<String> limitsOnly(VmConfig config, List<String> qemuArgs) {
        Limits limits = Limits.forGuest(config.spec().shape().memoryMib(), config.spec().shape().vcpus());
        List<String> command = new ArrayList<>(List.of("prlimit"));
        command.addAll(limits.prlimitOptions().stream().filter(o -> !o.startsWith("--nproc=")).toList());
        command.add("--");
        command.addAll(qemuArgs);
        return command;
    }

    /** Gives the socket directory and the socket the node makes for QEMU to connect to to the VMM's user. */
    static void own(Path path, int uid, int gid) throws IOException {
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    }

    private static void placeholder(Path path) throws IOException {
        Files.createFile(path, PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_FILE));
    }

    /**
     * Lets VMM users read (or read and write) a host file through its mount: nothing to do when
     * everyone may read it; else its group becomes the VMMs' group. Only the one VMM that has the
     * file mounted can reach it.
     */
    private static void grant(Path file, boolean write, int gid) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (mode.contains(PosixFilePermission.OTHERS_READ)
                && (!write || mode.contains(PosixFilePermission.OTHERS_WRITE))) {
            return; // e.g. a lazily fetched memory file, whose file system refuses writes and owner changes
        }
        int group = (Integer) Files.getAttribute(file, "unix:gid");
        Set<PosixFilePermission> wanted = EnumSet.of(PosixFilePermission.GROUP_READ);
        if (write) {
            wanted.add(PosixFilePermission.GROUP_WRITE);
        }
        if (group != gid) {
            Files.setAttribute(file, "unix:gid", gid);
        }
        if (!mode.containsAll(wanted)) {
            Set<PosixFilePermission> updated = EnumSet.copyOf(mode);
            updated.addAll(wanted);
            Files.setPosixFilePermissions(file, updated);
        }
    }

    private static int kvmGroup() throws IOException {
        return (Integer) Files.getAttribute(KVM, "unix:gid");
    }
}
