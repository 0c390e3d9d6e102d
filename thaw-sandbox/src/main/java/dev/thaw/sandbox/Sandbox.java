package dev.thaw.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One running function instance: a guest that has finished its init phase and
 * serves invocations. Knows nothing of the machinery that runs it.
 *
 * <p>Lifecycle: a driver hands out a sandbox that is ready; {@link #close()}
 * stops it and removes everything it left on the host. A sandbox whose VM died
 * stays closed-for-business: every call fails with a {@link SandboxException}
 * that says why, and {@link #deathReason()} tells it too.
 */
public interface Sandbox extends AutoCloseable {

    /** Short unique id, also used in host paths and logs. */
    String id();

    /** How this sandbox came to be, and how long each step took. */
    StartReport start();

    /**
     * Runs the function's handler once. Invocations on one sandbox are served one
     * at a time, in call order.
     *
     * @param timeout the handler is cut off after this long and the result says
     *     {@link InvocationResult.Outcome#TIMEOUT}; if the guest does not answer
     *     even then, the VM is stopped and a {@link SandboxException} is thrown
     * @throws SandboxException if the VM is dead or stops answering
     */
    InvocationResult invoke(byte[] body, Duration timeout) throws SandboxException;

    /**
     * Writes a snapshot of this sandbox to {@code dir} (created; must not exist).
     * The guest is paused while its state is captured and then goes on serving.
     *
     * @throws SandboxException if the VM is dead or the state cannot be written;
     *     nothing is left at {@code dir} then
     */
    LocalSnapshot snapshot(Path dir) throws SandboxException;

    /** Whether the VM is still running. */
    boolean isAlive();

    /** Why the VM died, if it did (other than by {@link #close()}). */
    Optional<String> deathReason();

    /** Stops the VM and removes its host files. Idempotent; never throws. */
    @Override
    void close();
}
