package dev.thaw.node;

import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * Publishes snapshots to the remote store in the background, so the request
 * that caused a boot is answered without waiting for the upload. Whatever the
 * snapshot's directory needs afterwards (releasing a cache pin, deleting
 * scratch files) runs when the upload is done.
 */
final class SnapshotPublisher implements AutoCloseable {
    private static final Logger LOG = System.getLogger(SnapshotPublisher.class.getName());

    private final Optional<SnapshotStore> store;
    private final NodeCounters counters;
    private final ExecutorService uploads = Executors.newFixedThreadPool(2,
            BackgroundThreads.factory("snapshot-publish-"));
    private int inFlight;

    SnapshotPublisher(Optional<SnapshotStore> store, NodeCounters counters) {
        this.store = store;
        this.counters = counters;
    }

    /** Uploads {@code snapshot} if there is a store, then runs {@code done} either way. */
    void publish(LocalSnapshot snapshot, Runnable done) {
        if (store.isEmpty()) {
            done.run();
            return;
        }
        synchronized (this) {
            inFlight++;
        }
        uploads.execute(() -> {
            try {
                store.get().publishSnapshot(snapshot.dir(), snapshot.info());
                counters.published.incrementAndGet();
            } catch (StoreException | RuntimeException e) {
                counters.publishFailures.incrementAndGet();
                LOG.log(Level.WARNING, "publishing the snapshot of " + snapshot.info().function() + " failed: "
                        + e.getMessage());
            } finally {
                done.run();
                finished();
            }
        });
    }

    private synchronized void finished() {
        inFlight--;
        notifyAll();
    }

    synchronized void awaitIdle() throws InterruptedException {
        while (inFlight > 0) {
            wait();
        }
    }

    @Override
    public void close() {
        try {
            awaitIdle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        uploads.shutdownNow();
    }
}
