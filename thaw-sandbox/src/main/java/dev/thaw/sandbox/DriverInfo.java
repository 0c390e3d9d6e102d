package dev.thaw.sandbox;

/**
 * @param name the driver, e.g. {@code qemu-microvm}
 * @param version the VMM's version; a snapshot restores only on the same version
 * @param accelerator {@code kvm} or {@code tcg}
 */
public record DriverInfo(String name, String version, String accelerator) {
}
