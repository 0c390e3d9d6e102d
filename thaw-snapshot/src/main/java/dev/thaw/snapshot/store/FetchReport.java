package dev.thaw.snapshot.store;

/**
 * What a fetch did.
 *
 * @param fetchedBytes compressed bytes read from the store (excluding {@code pack.json})
 * @param rawBytes the sum of the fetched files' sizes
 * @param elapsedMs wall-clock time
 */
public record FetchReport(long fetchedBytes, long rawBytes, long elapsedMs) {}
