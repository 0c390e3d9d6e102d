package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.TrustedSigners;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Finds a snapshot's working set for a restore, and never fails the restore over it: a set that is
 * refused is logged with its reason and counted, and the restore goes on without it (chunks are
 * then read on first touch only).
 */
public final class WorkingSetLoader {
    private static final System.Logger LOG = System.getLogger(WorkingSetLoader.class.getName());

    private final SnapshotStore store;
    private final WorkingSetCounters counters;

    public WorkingSetLoader(SnapshotStore store, WorkingSetCounters counters) {
        this.store = store;
        this.counters = counters;
    }

    /** The verified working set of {@code info}'s snapshot; empty when there is none or it is refused. */
    public Optional<WorkingSet> load(SnapshotInfo info, TrustedSigners signers) {
        try {
            return new WorkingSetStore(store).find(info, signers);
        } catch (WorkingSetException e) {
            counters.refused(e.reason());
            LOG.log(Level.WARNING, "working set refused (" + e.reason().label() + "): " + e.getMessage());
            return Optional.empty();
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "cannot read the working set of " + info.function() + "/" + info.revision()
                    + "; restoring without it: " + e.getMessage());
            return Optional.empty();
        }
    }
}
