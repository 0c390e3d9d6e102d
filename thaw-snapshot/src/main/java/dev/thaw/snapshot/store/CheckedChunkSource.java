package dev.thaw.snapshot.store;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An object store that reads chunks from other sources before the store (other nodes' caches) and
 * checks what they serve itself: it hands such a chunk over decoded and verified, so that the reader
 * does not decode and hash it a second time. What the store itself serves is left to the reader to
 * check, as from any store.
 */
public interface CheckedChunkSource {
    /**
     * The chunk {@code digest} of {@code length} bytes from a source other than the store, decoded and
     * checked against its digest; adds the stored bytes read to {@code fetched}. Empty when no such
     * source served it in time: the caller reads it with {@link #chunkFromStore}.
     */
    Optional<byte[]> checkedChunk(String digest, int length, AtomicLong fetched) throws StoreException;

    /** The chunk object at {@code key} from the store itself, as stored, for the caller to check. */
    byte[] chunkFromStore(String key) throws StoreException;
}
