package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Provides the guest kernel and initramfs, building them into a {@link ThawHome} on first use.
 *
 * <p>The kernel is Debian's cloud kernel (see {@link DebianKernelPackage}), fetched with the
 * host's apt. The initramfs is an uncompressed newc cpio archive holding {@code /bin/busybox}
 * (the host's static busybox), {@code /init} (the {@code guest/initramfs/init} resource),
 * {@code /dev/console}, and {@code /modules/<name>.ko} plus {@code /modules/order} for
 * {@link #MODULES}, which init loads in that order.
 *
 * <p>Cache layout under {@code kernels/}:
 *
 * <pre>
 * current                        the kernel release in use, e.g. 6.1.0-56-cloud-amd64
 * &lt;release&gt;/vmlinuz              the kernel image
 * &lt;release&gt;/package.deb          the package it came from (for rebuilding the initramfs)
 * &lt;release&gt;/initramfs/&lt;key&gt;/initramfs.cpio, digest
 * </pre>
 *
 * <p>The first kernel found is pinned in {@code current} (snapshots depend on the exact kernel):
 * delete {@code current} to pick up a newer Debian kernel. The initramfs key hashes the init
 * script, the module list and the kernel release, so changing {@code init} gives a new
 * initramfs (and a new {@link GuestKernel#digest()}); the host's busybox is not part of the key.
 *
 * <p>Thread-safe; concurrent callers, in this JVM or in other processes, wait for one builder.
 */
public final class GuestKernels {

    /** The kernel modules the initramfs carries, in load order. */
    public static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_mmio", "virtio_blk", "overlay");

    static final String CURRENT = "current";
    static final String VMLINUZ = "vmlinuz";
    static final String PACKAGE_DEB = "package.deb";
    static final String INITRAMFS_DIR = "initramfs";
    static final String INITRAMFS = "initramfs.cpio";
    static final String DIGEST = "digest";

    /** Bump when the initramfs layout changes, so that cached ones are rebuilt. */
    private static final String FORMAT = "thaw-initramfs-v1";

    private static final Pattern RELEASE = Pattern.compile("[0-9][A-Za-z0-9.+_~-]*");
    private static final Logger LOG = System.getLogger(GuestKernels.class.getName());

    private final Path busybox;

    /** Uses the host's {@code /bin/busybox}, which must be Debian's busybox-static. */
    public GuestKernels() {
        this(StaticBusybox.DEFAULT);
    }

    GuestKernels(Path busybox) {
        this.busybox = Objects.requireNonNull(busybox, "busybox");
    }

    /**
     * Returns the guest kernel and initramfs in {@code home}, downloading and building what is
     * missing. Idempotent: once built, a call only reads a few small files.
     *
     * @throws IOException if the kernel cannot be fetched (apt failure, no network), the host has
     *     no static busybox, or the cache cannot be written; the message names the cause
     */
    public GuestKernel ensure(ThawHome home) throws IOException {
        Path kernels = home.kernels();
        byte[] init = GuestResources.read(GuestResources.INIT);
        Optional<GuestKernel> cached = cached(kernels, init);
        if (cached.isPresent()) {
            return cached.get();
        }
        try (CacheLock _ = CacheLock.acquire(kernels.resolve(".lock"))) {
            cached = cached(kernels, init);
            if (cached.isPresent()) {
                return cached.get();
            }
            Path work = home.newTempDir("kernel");
            try {
                return build(kernels, init, work);
            } finally {
                FileTrees.deleteTree(work);
            }
        }
    }

    private GuestKernel build(Path kernels, byte[] init, Path work) throws IOException {
        String release = pinnedRelease(kernels).filter(r -> Files.isDirectory(kernels.resolve(r))).orElse(null);
        Path unpacked = null;
        if (release == null) {
            String packageName = DebianKernelPackage.resolve();
            release = DebianKernelPackage.version(packageName);
            checkRelease(release, packageName);
            if (!Files.isDirectory(kernels.resolve(release))) {
                unpacked = fetch(packageName, release, work, kernels.resolve(release));
            }
            CacheFiles.writeStringAtomically(kernels.resolve(CURRENT), release + "\n");
        }
        Path kernelDir = kernels.resolve(release);
        Path initramfsDir = kernelDir.resolve(INITRAMFS_DIR).resolve(initramfsKey(release, init));
        if (!Files.isDirectory(initramfsDir)) {
            if (unpacked == null) {
                unpacked = work.resolve("unpacked");
                DebianKernelPackage.unpack(kernelDir.resolve(PACKAGE_DEB), unpacked);
            }
            buildInitramfs(release, kernelDir, unpacked, init, work.resolve("initramfs"), initramfsDir);
        }
        return read(release, kernelDir, initramfsDir);
    }

    /** Downloads and unpacks the package, publishes {@code kernelDir}; returns the unpacked tree. */
    private static Path fetch(String packageName, String release, Path work, Path kernelDir) throws IOException {
        long started = System.nanoTime();
        Path download = Files.createDirectory(work.resolve("download"));
        Path deb = DebianKernelPackage.download(packageName, download);
        Path unpacked = work.resolve("unpacked");
        DebianKernelPackage.unpack(deb, unpacked);
        Path entry = Files.createDirectory(work.resolve("kernel"));
        Files.copy(DebianKernelPackage.vmlinuz(unpacked, release), entry.resolve(VMLINUZ));
        Files.move(deb, entry.resolve(PACKAGE_DEB), StandardCopyOption.ATOMIC_MOVE);
        CacheFiles.publish(entry, kernelDir);
        LOG.log(Level.INFO, "fetched guest kernel " + release + " (" + deb.getFileName() + ") in "
                + millisSince(started) + " ms");
        return unpacked;
    }

    private void buildInitramfs(String release, Path kernelDir, Path unpacked, byte[] init, Path entry, Path target)
            throws IOException {
        long started = System.nanoTime();
        byte[] busyboxBytes = StaticBusybox.read(busybox);
        List<Path> modules = DebianKernelPackage.modules(unpacked, release, MODULES);
        Files.createDirectories(entry);
        Path cpio = entry.resolve(INITRAMFS);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(cpio), 1 << 16)) {
            CpioWriter archive = new CpioWriter(out)
                    .directory("bin", 0755)
                    .directory("dev", 0755)
                    .directory("modules", 0755)
                    .characterDevice("dev/console", 0600, 5, 1)
                    .file("bin/busybox", 0755, busyboxBytes)
                    .file("init", 0755, init);
            for (int i = 0; i < MODULES.size(); i++) {
                archive.file("modules/" + MODULES.get(i) + ".ko", 0644, Files.readAllBytes(modules.get(i)));
            }
            archive.file("modules/order", 0644, (String.join("\n", MODULES) + "\n").getBytes(StandardCharsets.US_ASCII));
            archive.finish();
        }
        Files.writeString(entry.resolve(DIGEST), Hashing.sha256Hex(kernelDir.resolve(VMLINUZ), cpio) + "\n");
        Files.createDirectories(target.getParent());
        CacheFiles.publish(entry, target);
        LOG.log(Level.INFO, "built initramfs " + target.getFileName() + " for kernel " + release + " in "
                + millisSince(started) + " ms");
    }

    private static Optional<GuestKernel> cached(Path kernels, byte[] init) throws IOException {
        Optional<String> release = pinnedRelease(kernels);
        if (release.isEmpty()) {
            return Optional.empty();
        }
        Path kernelDir = kernels.resolve(release.get());
        Path initramfsDir = kernelDir.resolve(INITRAMFS_DIR).resolve(initramfsKey(release.get(), init));
        if (!Files.isDirectory(kernelDir) || !Files.isDirectory(initramfsDir)) {
            return Optional.empty();
        }
        return Optional.of(read(release.get(), kernelDir, initramfsDir));
    }

    private static GuestKernel read(String release, Path kernelDir, Path initramfsDir) throws IOException {
        String digest = CacheFiles.readMetadata(initramfsDir.resolve(DIGEST), initramfsDir);
        return new GuestKernel(release, kernelDir.resolve(VMLINUZ), initramfsDir.resolve(INITRAMFS), digest);
    }

    private static Optional<String> pinnedRelease(Path kernels) throws IOException {
        Path current = kernels.resolve(CURRENT);
        String release;
        try {
            release = Files.readString(current, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!RELEASE.matcher(release).matches()) {
            throw new IOException(current + " does not hold a kernel release (got '" + release
                    + "'); delete it to have the current Debian cloud kernel fetched");
        }
        return Optional.of(release);
    }

    private static void checkRelease(String release, String packageName) throws IOException {
        if (!RELEASE.matcher(release).matches()) {
            throw new IOException("unexpected kernel package name '" + packageName + "'");
        }
    }

    /** First 16 hex digits of SHA-256 over the format, the kernel release, the module list and init. */
    static String initramfsKey(String release, byte[] init) {
        MessageDigest digest = Hashing.sha256();
        Hashing.updateFramed(digest, FORMAT);
        Hashing.updateFramed(digest, release);
        Hashing.updateFramed(digest, String.join(",", MODULES));
        Hashing.updateFramed(digest, init);
        return Hashing.hex(digest).substring(0, 16);
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
