package dev.thaw.node;

import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/** An object store that passes every call on; tests override the calls they change. */
class ForwardingStore implements ObjectStore {
    private final ObjectStore delegate;

    ForwardingStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void put(String key, Path file) throws StoreException {
        delegate.put(key, file);
    }

    @Override
    public void put(String key, byte[] bytes) throws StoreException {
        delegate.put(key, bytes);
    }

    @Override
    public boolean create(String key, byte[] bytes) throws StoreException {
        return delegate.create(key, bytes);
    }

    @Override
    public byte[] get(String key) throws StoreException {
        return delegate.get(key);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws StoreException {
        return delegate.getRange(key, offset, length);
    }

    @Override
    public OptionalLong size(String key) throws StoreException {
        return delegate.size(key);
    }

    @Override
    public List<String> list(String prefix) throws StoreException {
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) throws StoreException {
        delegate.delete(key);
    }

    @Override
    public void close() {
        // The delegate is its owner's to close.
    }
}
