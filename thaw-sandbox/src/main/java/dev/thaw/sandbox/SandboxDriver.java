package dev.thaw.sandbox;

import java.nio.file.Path;

/**
 * Starts sandboxes: by booting a function, or by restoring one of its snapshots.
 * The driver owns every process it starts; {@link #close()} stops all of them,
 * including sandboxes still open and pre-started VMMs.
 */
public interface SandboxDriver extends AutoCloseable {

    /** Name, version, and the accelerator in use. */
    DriverInfo info();

    /** How the processes this driver starts are confined, and what it could not apply. */
    default Confinement confinement() {
        return Confinement.none("this driver starts no VMM processes");
    }

    /**
     * Boots the function's guest and waits until its init phase finished.
     *
     * @throws SandboxException if the guest does not come up in time, or the
     *     function's init phase failed (the message carries the guest's error)
     */
    Sandbox boot(BootSpec spec) throws SandboxException;

    /**
     * Restores a sandbox from a snapshot of the function described by {@code spec}.
     * Uses a pre-started VMM when {@link #prestart} asked for some.
     *
     * @throws SandboxException if the snapshot does not fit this spec or this
     *     driver (another VMM version, another kernel or image), or the restore failed
     */
    Sandbox restore(BootSpec spec, LocalSnapshot snapshot) throws SandboxException;

    /**
     * Keeps {@code count} VMM processes started and waiting to load this snapshot,
     * refilled in the background as restores take them. 0 stops doing so.
     */
    void prestart(BootSpec spec, LocalSnapshot snapshot, int count) throws SandboxException;

    /**
     * Drops what the driver keeps for a snapshot directory (pre-started VMMs,
     * device state read once): called when the snapshot there is removed, so a
     * later snapshot at the same path is read afresh.
     */
    void forget(Path snapshotDir);

    /**
     * Stops every pre-started VMM, waits for those being started, and refuses further
     * {@link #prestart} calls: the first step of shutting a node down, so that no new VMM
     * comes up while its instances are being stopped. Running sandboxes are left alone.
     */
    void stopPrestarting();

    /** Stops every sandbox and VMM process this driver started. */
    @Override
    void close();
}
