package dev.thaw.sandbox;

import dev.thaw.api.SnapshotInfo;
import java.util.Optional;

/**
 * Whether a snapshot can restore as a function on a driver: device state loads
 * only into the VMM version that saved it, and memory makes sense only with the
 * same kernel, root filesystem layers and machine shape. Checked before a
 * snapshot is fetched, and again before it is restored.
 */
public final class SnapshotCompatibility {
    private SnapshotCompatibility() {
    }

    /** Why {@code info} cannot restore as {@code spec} on {@code driver}, or empty when it can. */
    public static Optional<String> problem(SnapshotInfo info, BootSpec spec, DriverInfo driver) {
        if (!driver.name().equals(info.driver())) {
            return Optional.of("it was taken by driver '" + info.driver() + "', this is " + driver.name());
        }
        if (!driver.version().equals(info.driverVersion())) {
            return Optional.of("it was taken with QEMU " + info.driverVersion() + ", this host has QEMU "
                    + driver.version() + " (device state only loads into the version that saved it)");
        }
        if (!info.function().equals(spec.function())) {
            return Optional.of("it is a snapshot of function '" + info.function() + "', not '" + spec.function() + "'");
        }
        if (!info.revision().equals(spec.revision())) {
            return Optional.of("it is revision " + abbreviate(info.revision()) + ", not " + abbreviate(spec.revision()));
        }
        if (!info.shape().equals(spec.shape())) {
            return Optional.of("it was taken with " + info.shape() + ", the function now asks for " + spec.shape());
        }
        if (!info.kernelDigest().equals(spec.kernelDigest())) {
            return Optional.of("it was taken with another guest kernel (" + abbreviate(info.kernelDigest()) + ", now "
                    + abbreviate(spec.kernelDigest()) + ")");
        }
        if (!info.imageDigests().equals(spec.diskDigests())) {
            return Optional.of("it was taken with other root filesystem images than the function has now");
        }
        return Optional.empty();
    }

    private static String abbreviate(String digest) {
        return digest.length() > 12 ? digest.substring(0, 12) : digest;
    }
}
