package dev.thaw.snapshot.store;

import dev.thaw.api.FunctionId;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the published snapshot of the same revision under another function of the same namespace,
 * so that a function with the same code, configuration, image and kernel as one already published
 * (a copy under another name) stores only a manifest of its own instead of a second snapshot.
 *
 * <p>{@code revisions/<namespace>/<revision>} names the function whose snapshot of that revision
 * was published last. Nothing is ever taken across namespaces: the index is per namespace, and a
 * function it names in another namespace is ignored. The twin is read like any snapshot: its
 * manifest must verify under the signers given (a node passes its own key only, so it never re-signs
 * what another node vouched for) and describe the same revision, driver, driver version, shape,
 * kernel and images; and every chunk it names must still be in the store.
 */
final class SameRevision {
    static final String PREFIX = "revisions/";
    /** An index entry is one function key; anything longer is not read. */
    static final int MAX_ENTRY_BYTES = 256;
    private static final System.Logger LOG = System.getLogger(SameRevision.class.getName());

    /** Reads a published, verified snapshot; empty when there is none. */
    interface Lookup {
        Optional<SnapshotInfo> find(String function, String revision) throws StoreException, SnapshotFormatException;
    }

    private final ObjectStore store;
    private final Lookup lookup;

    SameRevision(ObjectStore store, Lookup lookup) {
        this.store = store;
        this.lookup = lookup;
    }

    /** {@code revisions/<namespace>/<revision>}. */
    static String key(String function, String revision) {
        return PREFIX + FunctionId.ofKey(function).namespace() + "/" + StoreKeys.requireName("revision", revision);
    }

    /** The snapshot {@code info} can reuse: the same revision published for another function of its namespace. */
    Optional<SnapshotInfo> twinOf(SnapshotInfo info) throws StoreException {
        String key = key(info.function(), info.revision());
        var size = store.size(key);
        if (size.isEmpty()) {
            return Optional.empty();
        }
        if (size.getAsLong() > MAX_ENTRY_BYTES) {
            LOG.log(Level.WARNING, key + " in " + store.describe() + " is " + size.getAsLong() + " bytes, more than "
                    + MAX_ENTRY_BYTES + "; ignored");
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = store.get(key);
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
        String function = new String(bytes, StandardCharsets.UTF_8).strip();
        if (function.equals(info.function())) {
            return Optional.empty();
        }
        if (!FunctionId.isKey(function)
                || !FunctionId.ofKey(function).namespace().equals(FunctionId.ofKey(info.function()).namespace())) {
            LOG.log(Level.WARNING, key + " in " + store.describe() + " names no function of namespace "
                    + FunctionId.ofKey(info.function()).namespace() + "; ignored");
            return Optional.empty();
        }
        Optional<SnapshotInfo> twin;
        try {
            twin = lookup.find(function, info.revision());
        } catch (SnapshotFormatException | StoreException e) {
            LOG.log(Level.WARNING, "the snapshot of " + function + " revision " + info.revision()
                    + " is not reused for " + info.function() + ": " + e.getMessage());
            return Optional.empty();
        }
        if (twin.isEmpty() || !alike(twin.get(), info) || !chunksPresent(twin.get())) {
            return Optional.empty();
        }
        return twin;
    }

    /** Records that {@code info}'s function now holds a published snapshot of its revision. */
    void record(SnapshotInfo info) throws StoreException {
        store.put(key(info.function(), info.revision()), info.function().getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the index entry of {@code function}'s revision if it names {@code function}. */
    void forget(String function, String revision) throws StoreException {
        String key = key(function, revision);
        var size = store.size(key);
        if (size.isEmpty() || size.getAsLong() > MAX_ENTRY_BYTES) {
            return;
        }
        try {
            if (new String(store.get(key), StandardCharsets.UTF_8).strip().equals(function)) {
                store.delete(key);
            }
        } catch (ObjectNotFoundException e) {
            // gone already
        }
    }

    /** {@code twin}'s files under {@code info}'s function: the manifest the store keeps for it. */
    static SnapshotInfo reuse(SnapshotInfo twin, SnapshotInfo info) {
        return new SnapshotInfo(twin.formatVersion(), info.function(), twin.revision(), twin.driver(),
                twin.driverVersion(), twin.shape(), twin.kernelDigest(), twin.imageDigests(), twin.files(),
                twin.createdAt(), twin.node(), twin.initMs());
    }

    /** Whether a guest restored from {@code twin} is one {@code info}'s machine could have booted. */
    static boolean alike(SnapshotInfo twin, SnapshotInfo info) {
        return twin.formatVersion() == info.formatVersion() && twin.revision().equals(info.revision())
                && twin.driver().equals(info.driver()) && twin.driverVersion().equals(info.driverVersion())
                && twin.shape().equals(info.shape()) && twin.kernelDigest().equals(info.kernelDigest())
                && twin.imageDigests().equals(info.imageDigests()) && sameFiles(twin.files(), info.files());
    }

    private static boolean sameFiles(Map<String, FileEntry> twin, Map<String, FileEntry> own) {
        if (!twin.keySet().equals(own.keySet())) {
            return false;
        }
        return twin.entrySet().stream().allMatch(e -> e.getValue().size() == own.get(e.getKey()).size()
                && e.getValue().chunkSize() == own.get(e.getKey()).chunkSize());
    }

    private boolean chunksPresent(SnapshotInfo twin) throws StoreException {
        for (FileEntry entry : twin.files().values()) {
            for (int i = 0; i < entry.chunks().size(); i++) {
                if (!ChunkTransfer.isZero(entry, i) && store.size(ChunkTransfer.key(entry.chunks().get(i))).isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }
}
