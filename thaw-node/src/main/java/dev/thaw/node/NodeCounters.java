package dev.thaw.node;

import dev.thaw.snapshot.trust.VerificationException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What happened on a node since it started, for status reports and tests. */
final class NodeCounters {
    final Map<StartTier, AtomicLong> starts = new EnumMap<>(StartTier.class);
    final AtomicLong corruptSnapshots = new AtomicLong();
    final AtomicLong incompatibleSnapshots = new AtomicLong();
    final AtomicLong restoreFailures = new AtomicLong();
    final AtomicLong storeErrors = new AtomicLong();
    final AtomicLong cacheRejections = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong publishFailures = new AtomicLong();
    /** Objects from the store refused by authentication, by {@link VerificationException.Reason#label()}. */
    final Map<String, AtomicLong> verifyFailures = new java.util.TreeMap<>();

    NodeCounters() {
        for (StartTier tier : StartTier.values()) {
            starts.put(tier, new AtomicLong());
        }
        for (VerificationException.Reason reason : VerificationException.Reason.values()) {
            verifyFailures.put(reason.label(), new AtomicLong());
        }
    }

    void verifyFailed(VerificationException.Reason reason) {
        verifyFailures.get(reason.label()).incrementAndGet();
    }

    NodeStats.Counters snapshot() {
        Map<String, Long> byTier = new java.util.LinkedHashMap<>();
        starts.forEach((tier, count) -> byTier.put(tier.label(), count.get()));
        return new NodeStats.Counters(byTier, corruptSnapshots.get(), incompatibleSnapshots.get(), restoreFailures.get(), storeErrors.get(),
                cacheRejections.get(), published.get(), publishFailures.get(), verifyFailures());
    }

    private Map<String, Long> verifyFailures() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        verifyFailures.forEach((reason, count) -> counts.put(reason, count.get()));
        return counts;
    }
}
