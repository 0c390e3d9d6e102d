package dev.thaw.snapshot.cache;

/**
 * A change in what the cache holds, for whoever advertises its contents. {@link Kind#REMOVED} is
 * published as soon as the entry stops being listed, which may be before its files are deleted
 * (they stay while leases on it are open).
 */
public record CacheEvent(Kind kind, String key, long bytes) {

    public enum Kind {
        ADDED,
        REMOVED
    }
}
