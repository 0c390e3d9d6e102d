package dev.thaw.sandbox;

import dev.thaw.api.FunctionId;
import dev.thaw.api.MachineShape;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a driver needs to start a function's guest: the machine shape, the
 * kernel, and the root filesystem layers (bottom first), with the digests that
 * pin a snapshot to exactly these inputs.
 *
 * @param initTimeout how long boot plus the function's init phase may take
 */
public record BootSpec(String function, String revision, MachineShape shape, Path kernel, Path initramfs,
        String kernelDigest, List<Path> disks, List<String> diskDigests, Duration initTimeout) {

    public BootSpec {
        FunctionId.requireKey(function);
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initramfs, "initramfs");
        Objects.requireNonNull(kernelDigest, "kernelDigest");
        disks = List.copyOf(disks);
        diskDigests = List.copyOf(diskDigests);
        if (disks.isEmpty() || disks.size() != diskDigests.size()) {
            throw new IllegalArgumentException("need at least one disk and one digest per disk, got "
                    + disks.size() + " disks and " + diskDigests.size() + " digests");
        }
        if (initTimeout.isNegative() || initTimeout.isZero()) {
            throw new IllegalArgumentException("initTimeout must be positive, got " + initTimeout);
        }
    }

    /** The same function on the same layers, found at other paths (a node's cached copies). */
    public BootSpec withDisks(List<Path> paths) {
        return new BootSpec(function, revision, shape, kernel, initramfs, kernelDigest, paths, diskDigests, initTimeout);
    }
}
