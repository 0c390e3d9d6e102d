package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * Records, in order, the chunks of one snapshot file that a restore reads for the first time,
 * until {@link #finish} (the first response). Reads of other files, repeated reads and reads after
 * the finish are ignored; at most {@link WorkingSet#MAX_CHUNKS} are kept. Thread-safe: the reads
 * come from the file system's threads, the finish from the invocation's.
 */
public final class WorkingSetRecorder {
    private final SnapshotInfo info;
    private final String file;
    private final int chunkCount;
    private final BitSet seen = new BitSet();
    private final List<Integer> order = new ArrayList<>();
    private boolean finished;

    public WorkingSetRecorder(SnapshotInfo info, String file) {
        SnapshotInfo.FileEntry entry = info.files().get(file);
        if (entry == null) {
            throw new IllegalArgumentException("snapshot " + info.function() + "/" + info.revision() + " has no file '"
                    + file + "' to record");
        }
        this.info = info;
        this.file = file;
        this.chunkCount = entry.chunks().size();
    }

    /** Called on the first read of chunk {@code index} of {@code name}. */
    public synchronized void touched(String name, int index) {
        if (finished || !file.equals(name) || index < 0 || index >= chunkCount || seen.get(index)
                || order.size() >= WorkingSet.MAX_CHUNKS) {
            return;
        }
        seen.set(index);
        order.add(index);
    }

    /**
     * Stops recording and returns what was touched; empty when nothing was, or when it was
     * finished before.
     */
    public synchronized Optional<WorkingSet> finish(String node) {
        if (finished) {
            return Optional.empty();
        }
        finished = true;
        return order.isEmpty() ? Optional.empty() : Optional.of(WorkingSet.of(info, file, order, node));
    }
}
