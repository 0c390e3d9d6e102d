package dev.thaw.k8s.sync;

import dev.thaw.snapshot.cache.CacheEvent;
import java.util.function.Consumer;

/** Where a {@link NodeCacheSync} reads a node's state and hears of its cache's changes. */
public interface CacheStateSource {

    /** The state now; called on the sync's own thread, so it may take a moment. */
    CacheSnapshot current();

    /**
     * Calls {@code listener} on every cache change from now on, on whichever thread made it. It
     * may first be called for entries present now. Listeners are never removed: the source lives
     * as long as the node.
     */
    void subscribe(Consumer<CacheEvent> listener);
}
