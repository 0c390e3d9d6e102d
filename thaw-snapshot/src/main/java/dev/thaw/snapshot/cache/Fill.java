package dev.thaw.snapshot.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** One fill in progress, which other acquirers of the same key wait for instead of filling again. */
final class Fill {

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Callers blocked in {@link #await}; guarded by the cache's lock. */
    int waiters;

    void succeeded() {
        done.complete(null);
    }

    void failed(CacheException failure) {
        done.completeExceptionally(failure);
    }

    /** Returns once the fill committed; throws the fill's failure (as a new exception, for this caller's stack). */
    void await() throws InterruptedException, CacheException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new CacheException(e.getCause().getMessage(), e.getCause());
        }
    }
}
