package dev.thaw.node.service;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each instance on this node was last used, so the node can stop instances idle past
 * their keep-alive plus a grace period on its own. The gateway normally stops them at their
 * keep-alive; this catches the ones no gateway will stop: the gateway crashed or restarted,
 * declared this node dead, or gave up on a start that then succeeded.
 */
public final class IdleTracker {
    private static final class Usage {
        final Duration limit;
        Instant lastUsed;
        int busy;

        Usage(Duration limit, Instant now) {
            this.limit = limit;
            this.lastUsed = now;
        }
    }

    private final InstantSource clock;
    private final Duration grace;
    private final Map<String, Usage> usage = new ConcurrentHashMap<>();

    public IdleTracker(InstantSource clock, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        this.clock = clock;
        this.grace = grace;
    }

    public Duration grace() {
        return grace;
    }

    /** A new instance whose gateway keeps it alive for {@code keepAlive} when idle. */
    public void started(String id, Duration keepAlive) {
        usage.put(id, new Usage(keepAlive.plus(grace), clock.instant()));
    }

    /** An invocation begins: a busy instance is never idle. */
    public void begin(String id) {
        Usage u = usage.get(id);
        if (u != null) {
            synchronized (u) {
                u.busy++;
                u.lastUsed = clock.instant();
            }
        }
    }

    public void end(String id) {
        Usage u = usage.get(id);
        if (u != null) {
            synchronized (u) {
                u.busy--;
                u.lastUsed = clock.instant();
            }
        }
    }

    public void stopped(String id) {
        usage.remove(id);
    }

    /** How long the instance has been idle, if it is tracked and idle. */
    public Duration idleFor(String id) {
        Usage u = usage.get(id);
        if (u == null) {
            return Duration.ZERO;
        }
        synchronized (u) {
            return u.busy > 0 ? Duration.ZERO : Duration.between(u.lastUsed, clock.instant());
        }
    }

    /** Instances idle longer than their keep-alive plus the grace period, now. */
    public List<String> expired() {
        Instant now = clock.instant();
        return usage.entrySet().stream().filter(e -> {
            Usage u = e.getValue();
            synchronized (u) {
                return u.busy == 0 && Duration.between(u.lastUsed, now).compareTo(u.limit) > 0;
            }
        }).map(Map.Entry::getKey).sorted().toList();
    }
}
