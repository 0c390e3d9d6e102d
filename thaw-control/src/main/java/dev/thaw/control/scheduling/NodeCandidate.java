package dev.thaw.control.scheduling;

import java.util.Objects;

/**
 * A node as the scheduler sees it for one placement: free and total capacity,
 * whether its snapshot cache holds the revision being started, and how many bytes a
 * start there would fetch from the store ({@link #UNKNOWN_BYTES} when the scheduler
 * does not know the snapshot's size). Plain data, so a Kubernetes scheduler extender
 * can build it from its own view of nodes.
 */
public record NodeCandidate(String name, long memoryMibFree, long memoryMibTotal, int slotsFree, int slotsTotal,
        boolean cachesRevision, long fetchBytes) {
    public static final long UNKNOWN_BYTES = -1;

    public NodeCandidate {
        Objects.requireNonNull(name, "name");
    }

    public NodeCandidate(String name, long memoryMibFree, long memoryMibTotal, int slotsFree, int slotsTotal,
            boolean cachesRevision) {
        this(name, memoryMibFree, memoryMibTotal, slotsFree, slotsTotal, cachesRevision, UNKNOWN_BYTES);
    }

    /**
     * The free share of the tighter resource, 0..1: a node with memory to spare
     * but no slots is as full as one without memory.
     */
    public double freeFraction() {
        double memory = memoryMibTotal <= 0 ? 0 : (double) memoryMibFree / memoryMibTotal;
        double slots = slotsTotal <= 0 ? 0 : (double) slotsFree / slotsTotal;
        return Math.clamp(Math.min(memory, slots), 0.0, 1.0);
    }
}
