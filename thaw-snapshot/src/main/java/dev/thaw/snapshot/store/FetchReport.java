package dev.thaw.snapshot.store;

/**
 * What a fetch did.
 *
 * @param fetchedBytes compressed bytes of chunks read from the store (metadata excluded)
 * @param rawBytes the sum of the fetched files' sizes
 * @param elapsedMs wall-clock time
 */
public record FetchReport(long fetchedBytes, long rawBytes, long elapsedMs) {}
