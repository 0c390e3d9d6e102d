package dev.thaw.control.routing;

import dev.thaw.control.cluster.Member;
import dev.thaw.wire.v1.node.StartReport;

/** One instance the gateway routes to. Mutable fields are guarded by its pool's lock. */
final class Instance {
    final String id;
    final Member node;
    final String revision;
    final StartReport start;
    int inFlight;
    /** Set by its pool, from the pool's clock, when the instance joins and after each request. */
    long lastUsedNanos;
    /** A pre-warmed instance not used yet stays until then (its pool's clock), whatever the keep-alive says. */
    long keepUntilNanos = Long.MIN_VALUE;
    boolean gone;

    Instance(String id, Member node, String revision, StartReport start) {
        this.id = id;
        this.node = node;
        this.revision = revision;
        this.start = start;
    }

    @Override
    public String toString() {
        return id + "@" + node.name();
    }
}
