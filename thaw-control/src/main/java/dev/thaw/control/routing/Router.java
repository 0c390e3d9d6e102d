package dev.thaw.control.routing;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.NodeFailedException;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import dev.thaw.http.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Routes one function's invocations to instances of its current revision, starting
 * instances through {@link Placement} when none is free. A new revision replaces
 * the pool; the old one drains (idle instances stop now, busy ones when done).
 */
public final class Router {
    private static final Logger LOG = System.getLogger(Router.class.getName());

    private final String function;
    private final Placement placement;
    private final InvocationListener listener;
    private final List<RevisionPool> draining = new CopyOnWriteArrayList<>();
    private volatile RevisionPool current;
    private volatile boolean deleted;

    private final KeepAlivePolicy keepAlive;
    private final SnapshotPrefetch prefetch;
    private final LongSupplier nanoClock;

    public Router(String function, DeploymentSpec spec, FunctionSettings settings, Placement placement,
            InvocationListener listener) {
        this(function, spec, settings, placement, listener, KeepAlivePolicy.FIXED, SnapshotPrefetch.NONE,
                System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds for keep-alive, idle times and prefetch timing */
    public Router(String function, DeploymentSpec spec, FunctionSettings settings, Placement placement,
            InvocationListener listener, KeepAlivePolicy keepAlive, SnapshotPrefetch prefetch,
            LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.function = function;
        this.prefetch = prefetch;
        this.placement = placement;
        this.listener = listener;
        this.keepAlive = keepAlive;
        this.current = new RevisionPool(spec, settings, keepAlive, nanoClock);
    }

    /** Switches to {@code spec}'s revision (draining the old one) or, for the same revision, updates settings. */
    public synchronized void deploy(DeploymentSpec spec, FunctionSettings settings) {
        RevisionPool old = current;
        if (old.revision().equals(spec.revision())) {
            old.settings(settings);
            return;
        }
        current = new RevisionPool(spec, settings, keepAlive, nanoClock);
        draining.add(old);
        stopAll(old.close());
    }

    /** Deletes the function: later and waiting invocations get 404, instances are stopped. */
    public synchronized void delete() {
        deleted = true;
        stopAll(current.close());
        for (RevisionPool pool : draining) {
            stopAll(pool.close());
        }
    }

    /**
     * Runs one invocation.
     *
     * @param acceptedNanos when the gateway accepted the request ({@link System#nanoTime})
     */
    public InvokeResult invoke(byte[] body, String contentType, long acceptedNanos)
            throws InvokeException, InterruptedException {
        while (true) {
            if (deleted) {
                throw unknown();
            }
            RevisionPool pool = current;
            long queueStart = System.nanoTime();
            RevisionPool.Grant grant = pool.acquire();
            double queueMs = (System.nanoTime() - queueStart) / 1e6;
            switch (grant) {
                case RevisionPool.Closed closed -> {
                    continue;
                }
                case RevisionPool.Lease lease -> {
                    StartTimings timings = new StartTimings("warm", 0, queueMs, 0, 0, 0, 0);
                    return call(pool, lease.instance(), timings, body, contentType);
                }
                case RevisionPool.StartSlot slot -> {
                    Placement.Started started;
                    try {
                        started = placement.start(pool.spec(), pool.keepAliveMs());
                    } catch (InvokeException | RuntimeException e) {
                        pool.startFailed();
                        throw e;
                    }
                    Instance instance = started.instance();
                    if (!instance.node.alive()) {
                        pool.startFailed();
                        throw new InvokeException(502, "node_failed", "node '" + instance.node.name()
                                + "' died while starting " + function + "; retry");
                    }
                    pool.started(instance);
                    listener.coldStart(function, instance.node.name());
                    var record = instance.start;
                    double initMs = (System.nanoTime() - acceptedNanos) / 1e6;
                    StartTimings timings = new StartTimings(record == null ? "boot" : record.tier().label(), initMs,
                            queueMs, started.scheduleMs(),
                            record == null ? 0 : record.imageFetchMs() + record.snapshotFetchMs(),
                            record == null ? 0 : record.vmMs(),
                            record == null ? 0 : record.imageBytes() + record.snapshotBytes());
                    return call(pool, instance, timings, body, contentType);
                }
                default -> throw new IllegalStateException("unexpected grant " + grant);
            }
        }
    }

    private InvokeResult call(RevisionPool pool, Instance instance, StartTimings timings, byte[] body,
            String contentType) throws InvokeException, InterruptedException {
        listener.invoked(function, timings);
        Map<String, String> headers = headers(instance, timings);
        DeploymentSpec spec = pool.spec();
        Map<String, String> request = new LinkedHashMap<>();
        request.put("X-Thaw-Timeout-Ms", Long.toString(spec.invokeTimeoutMs()));
        if (contentType != null) {
            request.put("Content-Type", contentType);
        }
        boolean stop = false;
        try {
            Response response = instance.node.send("POST", "v1/instances/" + instance.id + "/invoke",
                    body, request, Duration.ofMillis(spec.invokeTimeoutMs()).plusSeconds(10));
            int status = response.status();
            response.header("X-Thaw-Guest-Ms").ifPresent(v -> headers.put("X-Thaw-Guest-Ms", v));
            String type = response.header("Content-Type").orElse(null);
            if (status == 200 || status == 500 || status == 504) {
                return new InvokeResult(status, response.body(), type, headers);
            }
            if (status == 404 || status == 410) {
                pool.remove(List.of(instance));
                throw new InvokeException(502, "node_failed", "instance " + instance.id + " on node '"
                        + instance.node.name() + "' is gone (HTTP " + status + "); retry", headers);
            }
            throw new InvokeException(502, "node_failed", "node '" + instance.node.name()
                    + "' answered the invocation with HTTP " + status + ": "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8), headers);
        } catch (NodeFailedException e) {
            // The node may be alive but this instance is no longer trusted.
            pool.remove(List.of(instance));
            stop = instance.node.alive();
            throw new InvokeException(502, "node_failed", e.getMessage()
                    + "; the invocation may not have completed, retry it", headers);
        } finally {
            if (pool.release(instance) || stop) {
                stopAll(List.of(instance));
            }
        }
    }

    private static Map<String, String> headers(Instance instance, StartTimings t) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Thaw-Start", t.start());
        headers.put("X-Thaw-Node", instance.node.name());
        headers.put("X-Thaw-Instance", instance.id);
        headers.put("X-Thaw-Revision", instance.revision);
        headers.put("X-Thaw-Init-Ms", ms(t.initMs()));
        headers.put("X-Thaw-Queue-Ms", ms(t.queueMs()));
        headers.put("X-Thaw-Schedule-Ms", ms(t.scheduleMs()));
        headers.put("X-Thaw-Fetch-Ms", ms(t.fetchMs()));
        headers.put("X-Thaw-Vm-Ms", ms(t.vmMs()));
        headers.put("X-Thaw-Fetch-Bytes", Long.toString(t.fetchBytes()));
        // Of those, the snapshot bytes read from other nodes' caches rather than the store.
        headers.put("X-Thaw-Fetch-Peer-Bytes", Long.toString(t.cold() && instance.start != null
                ? instance.start.snapshotPeerBytes() : 0));
        return headers;
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private InvokeException unknown() {
        return new InvokeException(404, "unknown_function", "function '" + function
                + "' is not deployed; deploy it with POST /v1/functions");
    }

    /** Forgets the instances on a dead node; nothing is sent to it. */
    public void nodeDied(String node) {
        for (RevisionPool pool : pools()) {
            pool.remove(pool.instancesOn(node));
        }
    }

    /** Stops instances idle past keep-alive, and forgets drained pools that are empty. */
    public void expire(long nowNanos) {
        for (RevisionPool pool : pools()) {
            stopAll(pool.expire(nowNanos));
        }
        RevisionPool live = current;
        if (prefetch == SnapshotPrefetch.HISTOGRAM && !deleted && live.prefetchDue(nowNanos)) {
            // Off the expiry timer's thread: a fetch takes as long as the snapshot is large.
            Thread.ofVirtual().name("prefetch-" + function).start(() -> placement.prefetch(live.spec()));
        }
        if (!deleted && live.prewarmDue(nowNanos)) {
            Thread.ofVirtual().name("prewarm-" + function).start(() -> prewarm(live));
        }
        draining.removeIf(pool -> pool.instanceCount() == 0);
    }

    /** Starts an instance ahead of the predicted next invocation; its start is no invocation's cold start. */
    private void prewarm(RevisionPool pool) {
        Instance instance;
        try {
            instance = placement.start(pool.spec(), pool.keepAliveMs()).instance();
        } catch (InvokeException | RuntimeException e) {
            pool.startFailed();
            LOG.log(Level.WARNING, "pre-warming " + function + " failed: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            pool.startFailed();
            Thread.currentThread().interrupt();
            return;
        }
        if (!instance.node.alive()) {
            pool.startFailed();
        } else if (!pool.prewarmed(instance)) {
            stopAll(List.of(instance));
        }
    }

    private List<RevisionPool> pools() {
        List<RevisionPool> pools = new ArrayList<>(draining);
        pools.add(current);
        return pools;
    }

    public String revision() {
        return current.revision();
    }

    public int instances() {
        return pools().stream().mapToInt(RevisionPool::instanceCount).sum();
    }

    public int queueLength() {
        return current.queueLength();
    }

    private void stopAll(List<Instance> instances) {
        for (Instance instance : instances) {
            Thread.ofVirtual().name("stop-" + instance.id).start(() -> stop(instance));
        }
    }

    private static void stop(Instance instance) {
        Member node = instance.node;
        if (!node.alive()) {
            return;
        }
        try {
            node.send("DELETE", "v1/instances/" + instance.id, null, Map.of(), Duration.ofSeconds(10));
        } catch (NodeFailedException e) {
            LOG.log(Level.DEBUG, "cannot stop " + instance + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
