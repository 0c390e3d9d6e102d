package dev.thaw.node.service;

/**
 * Guest memory and instance slots left on this node. A start reserves its share
 * before the VM exists, so concurrent starts cannot overcommit; the lock is held
 * only for the arithmetic, never while a VM starts.
 */
final class Capacity {
    private final long memoryMib;
    private final int slots;
    private long usedMib;
    private int usedSlots;

    Capacity(long memoryMib, int slots) {
        this.memoryMib = memoryMib;
        this.slots = slots;
    }

    /** Takes one slot and {@code mib} of memory, or says why it cannot. */
    synchronized void reserve(long mib, String node) throws NodeRequestException {
        if (usedSlots >= slots || usedMib + mib > memoryMib) {
            throw new NodeRequestException(503, "no_capacity", "node " + node + " is full: " + (slots - usedSlots)
                    + " of " + slots + " instance slots and " + (memoryMib - usedMib) + " of " + memoryMib
                    + " MiB free, the instance needs " + mib + " MiB; stop an instance or start it on another node");
        }
        usedSlots++;
        usedMib += mib;
    }

    synchronized void release(long mib) {
        usedSlots--;
        usedMib -= mib;
    }

    long memoryMib() {
        return memoryMib;
    }

    int slots() {
        return slots;
    }

    synchronized long freeMemoryMib() {
        return memoryMib - usedMib;
    }

    synchronized int freeSlots() {
        return slots - usedSlots;
    }
}
