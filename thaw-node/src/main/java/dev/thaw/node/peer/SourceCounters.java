package dev.thaw.node.peer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Snapshot bytes this node read, by source: {@code peer} (other nodes' caches) and {@code s3}
 * (the store), as stored (compressed), with the chunks read and the peers' failures.
 */
public final class SourceCounters {
    final AtomicLong peerBytes = new AtomicLong();
    final AtomicLong peerChunks = new AtomicLong();
    final AtomicLong s3Bytes = new AtomicLong();
    final AtomicLong s3Chunks = new AtomicLong();
    final AtomicLong peerManifests = new AtomicLong();
    final AtomicLong peerCorrupt = new AtomicLong();
    final AtomicLong peerFailures = new AtomicLong();

    /**
     * What the counters hold now.
     *
     * @param peerManifests snapshot manifests read from a peer because the store had none (yet)
     * @param peerCorrupt chunks a peer served that did not match their digest
     * @param peerFailures peer reads that failed or missed their deadline
     */
    public record Snapshot(long peerBytes, long peerChunks, long s3Bytes, long s3Chunks, long peerManifests,
            long peerCorrupt, long peerFailures) {
    }

    public Snapshot snapshot() {
        return new Snapshot(peerBytes.get(), peerChunks.get(), s3Bytes.get(), s3Chunks.get(), peerManifests.get(),
                peerCorrupt.get(), peerFailures.get());
    }
}
