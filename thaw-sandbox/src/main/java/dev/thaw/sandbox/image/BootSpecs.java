package dev.thaw.sandbox.image;

import dev.thaw.api.FunctionManifest;
import dev.thaw.sandbox.BootSpec;
import java.time.Duration;
import java.util.List;

/** Turns a built function image and a guest kernel into what a driver boots. */
public final class BootSpecs {
    /** Boot plus init of the heaviest example takes seconds under TCG; give init generous room. */
    public static final Duration INIT_TIMEOUT = Duration.ofMinutes(2);

    private BootSpecs() {
    }

    /**
     * The revision is a digest of everything that defines the running function:
     * kernel, disks (which hold code, agent and function config) and machine shape,
     * so a changed function can never restore a stale snapshot.
     */
    public static String revision(FunctionImage image, GuestKernel kernel) {
        FunctionManifest manifest = image.manifest();
        return Hashing.sha256Hex(kernel.digest() + "|" + image.digest() + "|" + manifest.shape().memoryMib() + "|"
                + manifest.shape().vcpus()).substring(0, 16);
    }

    public static BootSpec of(FunctionImage image, GuestKernel kernel) {
        FunctionManifest manifest = image.manifest();
        return new BootSpec(manifest.name(), revision(image, kernel), manifest.shape(), kernel.vmlinuz(),
                kernel.initramfs(), kernel.digest(), image.disks(), List.of(image.base().digest(), image.layerDigest()),
                INIT_TIMEOUT);
    }
}
