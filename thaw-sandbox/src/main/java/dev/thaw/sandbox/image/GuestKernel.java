package dev.thaw.sandbox.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A kernel and initramfs a guest boots with (QEMU's {@code -kernel} and {@code -initrd}).
 *
 * @param version the kernel release, e.g. {@code 6.1.0-56-cloud-amd64}
 * @param vmlinuz the kernel image
 * @param initramfs the uncompressed newc cpio initramfs (busybox, Thaw's init, virtio and overlay modules)
 * @param digest lower-case hex SHA-256 over the bytes of {@code vmlinuz} followed by those of
 *     {@code initramfs}; a snapshot is only valid for the kernel pair with the same digest
 */
public record GuestKernel(String version, Path vmlinuz, Path initramfs, String digest) {

    /** @throws NullPointerException if a component is null */
    public GuestKernel {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(vmlinuz, "vmlinuz");
        Objects.requireNonNull(initramfs, "initramfs");
        Objects.requireNonNull(digest, "digest");
    }
}
