package dev.thaw.k8s.functions;

import dev.thaw.control.registry.RegistryConflictException;
import dev.thaw.k8s.crd.CachedRevision;
import dev.thaw.k8s.crd.GatewayReport;
import dev.thaw.k8s.crd.NodeSnapshotCache;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.snapshot.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * Writes what a gateway replica knows into its namespace's ThawFunction statuses: how many
 * instances of each function it runs (its entry in {@code status.gateways}; {@code instances} is
 * their sum) and which nodes cache the served revision (from the NodeSnapshotCache objects node
 * agents write). An entry not refreshed for {@link #STALE_AFTER} reports periods is a replica that
 * is gone, and is dropped. A status is written only when it changes, or to refresh this replica's
 * entry before it would go stale.
 */
public final class ThawFunctionReporter {
    private static final Logger LOG = System.getLogger(ThawFunctionReporter.class.getName());
    static final int STALE_AFTER = 3;

    private final ThawFunctionRegistry registry;
    private final String gateway;
    private final ToIntFunction<String> instances;
    private final Supplier<Collection<NodeSnapshotCache>> caches;
    private final Duration period;

    /**
     * @param gateway this replica's name (its pod's)
     * @param instances the instances this replica runs of a function, by name
     * @param caches every node's NodeSnapshotCache as last seen
     * @param period how often {@link #report} is called
     */
    public ThawFunctionReporter(ThawFunctionRegistry registry, String gateway, ToIntFunction<String> instances,
            Supplier<Collection<NodeSnapshotCache>> caches, Duration period) {
        this.registry = registry;
        this.gateway = gateway;
        this.instances = instances;
        this.caches = caches;
        this.period = period;
    }

    /** Reports on every ThawFunction a revision is served for; returns how many statuses were written. */
    public int report() {
        int written = 0;
        Instant now = registry.clock().instant();
        Collection<NodeSnapshotCache> nodes = caches.get();
        for (ThawFunction object : registry.cachedAll()) {
            ThawFunctionStatus status = object.getStatus();
            if (status == null || status.revision() == null) {
                continue;
            }
            String name = object.getMetadata().getName();
            int mine = instances.applyAsInt(name);
            UnaryOperator<ThawFunctionStatus> change = s -> {
                List<GatewayReport> reports = reports(s.gateways(), mine, now);
                List<String> caching = s.revision() == null ? List.of() : caching(nodes, name, s.revision());
                return reports == null && caching.equals(s.cachingNodes()) ? s
                        : s.withReports(reports != null ? reports : s.gateways(), caching);
            };
            if (change.apply(status) == status) {
                continue; // nothing to write as far as the informer knows: spare the API server a read
            }
            try {
                ThawFunctionStatus before = status;
                ThawFunction after = registry.updateStatus(object, change);
                if (!before.equals(after.getStatus())) {
                    written++;
                }
            } catch (RegistryConflictException e) {
                LOG.log(Level.DEBUG, e.getMessage() + "; reported at the next period");
            } catch (StoreException e) {
                LOG.log(Level.WARNING, e.getMessage());
            }
        }
        return written;
    }

    // The gateway entries to write, or null when the current ones need no change.
    private List<GatewayReport> reports(List<GatewayReport> current, int mine, Instant now) {
        Duration stale = period.multipliedBy(STALE_AFTER);
        List<GatewayReport> kept = new ArrayList<>();
        boolean changed = true;
        for (GatewayReport r : current) {
            Instant at = parse(r.updatedAt());
            if (r.gateway().equals(gateway)) {
                // Refreshed before half the stale age, so the others never drop a live replica.
                changed = r.instances() != mine || at == null || at.plus(stale.dividedBy(2)).isBefore(now);
            } else if (at != null && !at.plus(stale).isBefore(now)) {
                kept.add(r);
            }
        }
        boolean dropped = kept.size() != current.size() - (current.stream().anyMatch(r -> r.gateway().equals(gateway))
                ? 1 : 0);
        if (!changed && !dropped) {
            return null;
        }
        kept.add(new GatewayReport(gateway, mine, now.toString()));
        kept.sort(java.util.Comparator.comparing(GatewayReport::gateway));
        return kept;
    }

    private static Instant parse(String at) {
        try {
            return at == null ? null : Instant.parse(at);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static List<String> caching(Collection<NodeSnapshotCache> nodes, String function, String revision) {
        List<String> names = new ArrayList<>();
        for (NodeSnapshotCache node : nodes) {
            if (node.getStatus() == null) {
                continue;
            }
            for (CachedRevision r : node.getStatus().revisions()) {
                if (function.equals(r.function()) && revision.equals(r.revision()) && r.whole()) {
                    names.add(node.getMetadata().getName());
                    break;
                }
            }
        }
        names.sort(null);
        return names;
    }
}
