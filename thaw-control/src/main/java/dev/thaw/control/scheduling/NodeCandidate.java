package dev.thaw.control.scheduling;

import java.util.Objects;

/**
 * A node as the scheduler sees it for one placement: free and total capacity, how much of the revision's
 * snapshot it holds ({@code presentFraction}: 1 for the whole snapshot, 0 for none of it), and how many
 * bytes a start there would fetch from the store with none of it there ({@link #UNKNOWN_BYTES} when the
 * scheduler does not know the snapshot's size); a start fetches the share that is missing. Plain data, so
 * a Kubernetes scheduler extender can build it from its own view of nodes.
 */
public record NodeCandidate(String name, long memoryMibFree, long memoryMibTotal, int slotsFree, int slotsTotal,
        double presentFraction, long fetchBytes) {
    public static final long UNKNOWN_BYTES = -1;

    public NodeCandidate {
        Objects.requireNonNull(name, "name");
        if (!(presentFraction >= 0 && presentFraction <= 1)) {
            throw new IllegalArgumentException("the share of the snapshot on node " + name + " must be 0 to 1, got "
                    + presentFraction);
        }
    }

    /** A node that holds all of the revision's snapshot or none of it. */
    public NodeCandidate(String name, long memoryMibFree, long memoryMibTotal, int slotsFree, int slotsTotal,
            boolean cachesRevision, long fetchBytes) {
        this(name, memoryMibFree, memoryMibTotal, slotsFree, slotsTotal, cachesRevision ? 1.0 : 0.0, fetchBytes);
    }

    public NodeCandidate(String name, long memoryMibFree, long memoryMibTotal, int slotsFree, int slotsTotal,
            boolean cachesRevision) {
        this(name, memoryMibFree, memoryMibTotal, slotsFree, slotsTotal, cachesRevision, UNKNOWN_BYTES);
    }

    /** Whether the node holds the whole snapshot: a start there restores locally. */
    public boolean cachesRevision() {
        return presentFraction >= 1;
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
