package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.store.StoreKeys;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.trust.VerificationException;
import dev.thaw.snapshot.workingset.WorkingSetException.Reason;
import java.util.Optional;

/** Working sets in the store, signed, beside the manifest of the snapshot they describe. */
public final class WorkingSetStore {
    private final SnapshotStore store;

    public WorkingSetStore(SnapshotStore store) {
        this.store = store;
    }

    /**
     * Publishes {@code set}: its signature ({@value WorkingSet#SIGNATURE_FILE_NAME}), then
     * {@value WorkingSet#FILE_NAME}. Publishing the snapshot again removes it, and a reader checks it
     * against the manifest it came with.
     */
    public void publish(WorkingSet set) throws StoreException {
        byte[] json = set.toJson();
        if (json.length > WorkingSet.MAX_BYTES || set.chunks().size() > WorkingSet.MAX_CHUNKS) {
            throw new IllegalArgumentException("a working set of " + set.chunks().size() + " chunks (" + json.length
                    + " bytes) is larger than any reader takes");
        }
        store.putSigned(set.function(), set.revision(), WorkingSet.FILE_NAME, WorkingSet.SIGNATURE_FILE_NAME, json);
    }

    /**
     * Publishes {@code set} with its page pack: the pack's object ({@value PagePack#FILE_NAME}) first,
     * then the signed set that names its digest, so a reader never sees a set whose pack is not there.
     */
    public void publish(WorkingSet set, byte[] packObject) throws StoreException {
        if (set.pack() == null || set.pack().storedBytes() != packObject.length) {
            throw new IllegalArgumentException("the pack object does not match the working set's pack");
        }
        store.objectStore().put(StoreKeys.snapshotPrefix(set.function(), set.revision()) + PagePack.FILE_NAME,
                packObject);
        publish(set);
    }

    /**
     * The page pack of {@code set} (one that {@link #find} returned, so signed and checked), fetched
     * with one GET and verified against the digest and size the set names before any byte of it is
     * used.
     *
     * @throws WorkingSetException if it is missing, does not match or does not decode
     */
    public LoadedPack fetchPack(WorkingSet set) throws StoreException, WorkingSetException {
        PagePack pack = set.pack();
        if (pack == null) {
            throw new IllegalArgumentException("the working set has no page pack");
        }
        String key = StoreKeys.snapshotPrefix(set.function(), set.revision()) + PagePack.FILE_NAME;
        String what = key + " in " + store.objectStore().describe();
        byte[] object;
        try {
            // One byte past the signed size: a longer object shows as one, and nothing more is read.
            object = store.objectStore().getRange(key, 0, (int) pack.storedBytes() + 1);
        } catch (dev.thaw.snapshot.store.ObjectNotFoundException e) {
            throw new WorkingSetException(Reason.PACK_MISMATCH, what + " is missing; its signed working set names it");
        }
        return LoadedPack.verify(pack, object, what);
    }

    /**
     * The working set published for {@code info}'s snapshot, or empty when there is none. It is
     * read only after its signature, which must be made by one of {@code signers}, verifies, and it
     * must describe {@code info}: its revision, its memory file, and only chunks the file has.
     *
     * @throws WorkingSetException if it is too large, unsigned, badly signed, of an unknown format
     *     or names chunks outside the snapshot; the caller restores without it
     */
    public Optional<WorkingSet> find(SnapshotInfo info, TrustedSigners signers) throws StoreException,
            WorkingSetException {
        String what = StoreKeys.snapshotPrefix(info.function(), info.revision()) + WorkingSet.FILE_NAME + " in "
                + store.objectStore().describe();
        var size = store.objectStore().size(StoreKeys.snapshotPrefix(info.function(), info.revision())
                + WorkingSet.FILE_NAME);
        if (size.isPresent() && size.getAsLong() > WorkingSet.MAX_BYTES) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + " is " + size.getAsLong() + " bytes, more than "
                    + WorkingSet.MAX_BYTES + "; it is not read");
        }
        Optional<byte[]> bytes;
        try {
            bytes = store.getSigned(info.function(), info.revision(), WorkingSet.FILE_NAME,
                    WorkingSet.SIGNATURE_FILE_NAME, WorkingSet.MAX_BYTES, signers);
        } catch (VerificationException e) {
            throw new WorkingSetException(switch (e.reason()) {
                case UNSIGNED -> Reason.UNSIGNED;
                case UNTRUSTED_SIGNER -> Reason.UNTRUSTED_SIGNER;
                default -> Reason.BAD_SIGNATURE;
            }, e.getMessage());
        }
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        WorkingSet set = WorkingSet.parse(what, bytes.get());
        set.requireWithin(info, what);
        return Optional.of(set);
    }
}
