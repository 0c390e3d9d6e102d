package dev.thaw.node.peer;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peers this node stopped asking for a while: one that served a chunk that did not match its
 * digest, did not answer within its deadline, or could not be reached is skipped until its
 * penalty has passed (by the injected clock), and the chunk is fetched from the next source.
 */
public final class PeerHealth {
    private static final Logger LOG = System.getLogger(PeerHealth.class.getName());
    /** How long a peer that failed is skipped. */
    public static final Duration PENALTY = Duration.ofSeconds(60);
    private static final int MAX_TRACKED = 4096;

    private final InstantSource clock;
    private final Duration penalty;
    private final Map<String, Instant> badUntil = new ConcurrentHashMap<>();
    private final AtomicLong marked = new AtomicLong();

    public PeerHealth(InstantSource clock, Duration penalty) {
        this.clock = clock;
        this.penalty = penalty;
    }

    /** False while {@code node}'s penalty runs. */
    public boolean healthy(String node) {
        Instant until = badUntil.get(node);
        if (until == null) {
            return true;
        }
        if (!clock.instant().isBefore(until)) {
            badUntil.remove(node, until);
            return true;
        }
        return false;
    }

    /** Skips {@code node} for the penalty from now, saying why in the log. */
    public void bad(String node, String why) {
        if (badUntil.size() >= MAX_TRACKED) {
            Instant now = clock.instant();
            badUntil.values().removeIf(until -> !now.isBefore(until));
        }
        badUntil.put(node, clock.instant().plus(penalty));
        marked.incrementAndGet();
        LOG.log(Level.WARNING, "peer " + node + " skipped for " + penalty.toSeconds() + " s: " + why);
    }

    /** How many times a peer was marked bad. */
    public long marked() {
        return marked.get();
    }
}
