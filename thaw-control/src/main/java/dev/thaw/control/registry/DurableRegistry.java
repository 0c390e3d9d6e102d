package dev.thaw.control.registry;

import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.snapshot.store.StoreException;
import java.util.Map;

/**
 * Where the gateway keeps deployed functions so that a restart loses none. Every write names
 * the generation it read ({@code 0} for a function never written) and fails with
 * {@link RegistryConflictException} when another writer got there first: optimistic
 * concurrency, as Kubernetes' {@code resourceVersion} gives a custom-resource backend.
 */
public interface DurableRegistry {

    /** Where the registry lives, for logs and status. */
    String describe();

    /**
     * Reads every function's latest record.
     *
     * @throws StoreException when the store cannot be read: the caller must not take an empty answer as the truth
     */
    RegistryContents load() throws StoreException;

    /**
     * What changed since {@code known} (the latest generation of each name as the caller has it): the
     * {@link RegistryContents#generations generations} of every name, and the functions and problems of at least
     * the names whose generation differs from {@code known}'s. A gateway calls it often to learn what other
     * gateways wrote, so a backend may skip reading what did not change; by default it reads everything.
     *
     * @throws StoreException when the store cannot be read
     */
    default RegistryContents changedSince(Map<String, Long> known) throws StoreException {
        return load();
    }

    /** Writes {@code function} as generation {@code expectedGeneration + 1}. */
    StoredFunction write(DeployedFunction function, String archiveDigest, long expectedGeneration)
            throws RegistryConflictException, StoreException;

    /** Records the function's deletion as generation {@code expectedGeneration + 1}; returns that generation. */
    long delete(String name, long expectedGeneration) throws RegistryConflictException, StoreException;

    /** Keeps a revision's code archive, addressed by its SHA-256, and returns that digest. */
    String putArchive(byte[] tarGz) throws StoreException;

    /** The archive with that digest, for rebuilding a revision; {@code ObjectNotFoundException} when gone. */
    byte[] archive(String digest) throws StoreException;
}
