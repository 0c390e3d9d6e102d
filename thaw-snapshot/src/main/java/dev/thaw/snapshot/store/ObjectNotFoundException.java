package dev.thaw.snapshot.store;

/** The store answered, and has no object under the key. */
public class ObjectNotFoundException extends StoreException {
    public ObjectNotFoundException(String key) {
        super("no object '" + key + "' in the store");
    }
}
