package dev.thaw.control.routing;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** One {@link Router} per deployed function; forgets a dead node's instances in all of them. */
public final class Routers implements Membership.Listener {
    private final Placement placement;
    private final InvocationListener listener;
    private final Map<String, Router> routers = new ConcurrentHashMap<>();

    private final KeepAlivePolicy keepAlive;

    private final SnapshotPrefetch prefetch;
    private final LongSupplier nanoClock;

    public Placement placement() {
        return placement;
    }

    public Routers(Placement placement, InvocationListener listener) {
        this(placement, listener, KeepAlivePolicy.FIXED, SnapshotPrefetch.NONE, System::nanoTime);
    }

    /** @param nanoClock monotonic nanoseconds for keep-alive, idle times and prefetch timing */
    public Routers(Placement placement, InvocationListener listener, KeepAlivePolicy keepAlive,
            SnapshotPrefetch prefetch, LongSupplier nanoClock) {
        this.placement = placement;
        this.listener = listener;
        this.keepAlive = keepAlive;
        this.prefetch = prefetch;
        this.nanoClock = java.util.Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public Optional<Router> find(String function) {
        return Optional.ofNullable(routers.get(function));
    }

    /** Creates the function's router, or moves the existing one to {@code spec}'s revision. */
    public void deploy(DeploymentSpec spec, FunctionSettings settings) {
        routers.compute(spec.function(), (name, router) -> {
            if (router == null) {
                Router created = new Router(name, spec, settings, placement, listener, keepAlive, prefetch,
                        nanoClock);
                listener.routerCreated(name, created);
                return created;
            }
            router.deploy(spec, settings);
            return router;
        });
    }

    public void delete(String function) {
        Router router = routers.remove(function);
        if (router != null) {
            router.delete();
            listener.routerDeleted(function);
        }
    }

    public void expire() {
        long now = nanoClock.getAsLong();
        routers.values().forEach(r -> r.expire(now));
    }

    public int instances() {
        return routers.values().stream().mapToInt(Router::instances).sum();
    }

    @Override
    public void died(Member member, String reason) {
        routers.values().forEach(r -> r.nodeDied(member.name()));
    }
}
