package dev.thaw.snapshot.store;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A flat store of named objects: the part of S3 Thaw needs. Keys are
 * {@code /}-separated relative names checked by {@link StoreKeys}. Every
 * failure to reach the store is a {@link StoreException}; a missing object is
 * {@link ObjectNotFoundException}, so callers can tell "not there" from "store down".
 */
public interface ObjectStore extends AutoCloseable {

    /** Where this store is, for logs and {@code --help}: {@code s3://bucket (http://host:port)} or a path. */
    String describe();

    /** Stores {@code file} under {@code key}, replacing what was there; large files go up in parts. */
    void put(String key, Path file) throws StoreException;

    void put(String key, byte[] bytes) throws StoreException;

    /**
     * Stores {@code bytes} under {@code key} only if no object is there yet, in one atomic step:
     * of two callers racing for one key exactly one gets true (S3 {@code If-None-Match: *},
     * a hard link in a directory). The optimistic concurrency of the function registry rests on it.
     *
     * @return true when this call created the object, false when one was already there
     */
    boolean create(String key, byte[] bytes) throws StoreException;

    /** The whole object. */
    byte[] get(String key) throws StoreException;

    /** {@code length} bytes from {@code offset}: one ranged GET. */
    byte[] getRange(String key, long offset, int length) throws StoreException;

    /** The object's size, or empty when there is none. */
    OptionalLong size(String key) throws StoreException;

    /** Keys under {@code prefix}, sorted. */
    List<String> list(String prefix) throws StoreException;

    /** Deletes one object; deleting a missing one is not an error. */
    void delete(String key) throws StoreException;

    @Override
    void close();
}
