package dev.thaw.control.registry;

import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry in this process only, for a gateway run without a store: same generation
 * rules as the durable ones, but a restart forgets everything. It keeps no code archives:
 * they would only grow this process's heap.
 */
public final class MemoryRegistry implements DurableRegistry {
    private final Map<String, Long> generations = new HashMap<>();
    private final Map<String, StoredFunction> functions = new HashMap<>();

    @Override
    public String describe() {
        return "memory (no store: a restart forgets every function)";
    }

    @Override
    public synchronized RegistryContents load() {
        return new RegistryContents(new ArrayList<>(functions.values()), List.of(), generations);
    }

    @Override
    public synchronized StoredFunction write(DeployedFunction function, String archiveDigest, long expectedGeneration)
            throws RegistryConflictException {
        long next = next(function.name(), expectedGeneration);
        StoredFunction stored = new StoredFunction(function, archiveDigest, next);
        functions.put(function.name(), stored);
        return stored;
    }

    @Override
    public synchronized long delete(String name, long expectedGeneration) throws RegistryConflictException {
        long next = next(name, expectedGeneration);
        functions.remove(name);
        return next;
    }

    private long next(String name, long expected) throws RegistryConflictException {
        long latest = generations.getOrDefault(name, 0L);
        if (latest != expected) {
            throw new RegistryConflictException("function '" + name + "' changed while this request ran (expected"
                    + " registry generation " + expected + ", found " + latest + "); retry");
        }
        generations.put(name, latest + 1);
        return latest + 1;
    }

    @Override
    public String putArchive(byte[] tarGz) {
        return ObjectStoreRegistry.sha256(tarGz);
    }

    @Override
    public byte[] archive(String digest) throws ObjectNotFoundException {
        throw new ObjectNotFoundException(ObjectStoreRegistry.archiveKey(digest));
    }
}
