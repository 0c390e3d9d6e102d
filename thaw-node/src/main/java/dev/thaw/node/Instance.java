package dev.thaw.node;

import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * A running function instance on this node, with what it holds: the sandbox,
 * and the cache leases that keep its snapshot and images from being evicted
 * while the VM maps them. {@link #close()} releases all of it.
 */
public final class Instance implements AutoCloseable {
    private final FunctionDeployment deployment;
    private final Sandbox sandbox;
    private final StartRecord record;
    private final List<AutoCloseable> held;
    private final long requestedNanos;
    private final LongSupplier fetchedBytes;
    private final Runnable onFirstResponse;
    private volatile double firstResponseMs = Double.NaN;
    private volatile long fetchedAtFirstResponse = -1;
    private volatile boolean closed;

    Instance(FunctionDeployment deployment, Sandbox sandbox, StartRecord record, List<AutoCloseable> held,
            long requestedNanos) {
        this(deployment, sandbox, record, held, requestedNanos, record::snapshotBytes, () -> { });
    }

    /**
     * @param fetchedBytes snapshot bytes fetched from the store for this instance so far
     * @param onFirstResponse runs once, right after the first response
     */
    Instance(FunctionDeployment deployment, Sandbox sandbox, StartRecord record, List<AutoCloseable> held,
            long requestedNanos, LongSupplier fetchedBytes, Runnable onFirstResponse) {
        this.fetchedBytes = fetchedBytes;
        this.onFirstResponse = onFirstResponse;
        this.deployment = deployment;
        this.sandbox = sandbox;
        this.record = record;
        this.held = List.copyOf(held);
        this.requestedNanos = requestedNanos;
    }

    public String id() {
        return sandbox.id();
    }

    public FunctionDeployment deployment() {
        return deployment;
    }

    public StartRecord start() {
        return record;
    }

    /** From the start request to the first invocation's response, once there was one. */
    public OptionalDouble firstResponseMs() {
        double value = firstResponseMs;
        return Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    public InvocationResult invoke(byte[] body, Duration timeout) throws SandboxException {
        InvocationResult result = sandbox.invoke(body, timeout);
        if (Double.isNaN(firstResponseMs)) {
            firstResponseMs = (System.nanoTime() - requestedNanos) / 1e6;
            fetchedAtFirstResponse = fetchedBytes.getAsLong();
            onFirstResponse.run();
        }
        return result;
    }

    /**
     * Snapshot bytes fetched from the store from the start request to the first response, once
     * there was one: the whole snapshot for a fetch-then-restore start, the device state and the
     * memory chunks touched so far for a lazy one.
     */
    public OptionalLong fetchedBytesAtFirstResponse() {
        long value = fetchedAtFirstResponse;
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }

    public boolean isAlive() {
        return !closed && sandbox.isAlive();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sandbox.close();
        for (AutoCloseable resource : held.reversed()) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // releasing a lease or a scratch directory cannot fail in a way the caller could act on
            }
        }
    }
}
