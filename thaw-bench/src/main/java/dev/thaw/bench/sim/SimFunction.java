package dev.thaw.bench.sim;

/**
 * One function as the simulator sees it: guest memory (also its snapshot's size in a node cache), average
 * execution time, and the bytes a remote start fetches from the store.
 */
public record SimFunction(String key, int memoryMib, double durationMs, long snapshotBytes, long fetchBytes) {
}
