package dev.thaw.snapshot.workingset;

import dev.thaw.api.SnapshotInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
    private final long fileSize;
    /** Pages read, as ranges: start to end, merged when they touch. */
    private final TreeMap<Long, Long> pages = new TreeMap<>();
    private long pageBytes;
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
        this.fileSize = entry.size();
    }

    /** The snapshot being recorded. */
    public SnapshotInfo info() {
        return info;
    }

    /** The file being recorded. */
    public String file() {
        return file;
    }

    /** Called on every read of {@code length} bytes at {@code offset} of {@code name}. */
    public synchronized void read(String name, long offset, int length) {
        if (finished || !file.equals(name) || offset < 0 || length <= 0 || offset >= fileSize) {
            return;
        }
        long start = offset - offset % PagePack.PAGE;
        long end = Math.min(fileSize, offset + length);
        end = Math.min(fileSize - fileSize % PagePack.PAGE, end + (PagePack.PAGE - end % PagePack.PAGE) % PagePack.PAGE);
        if (end <= start) {
            return; // a partial page at the end of a file that is not whole pages
        }
        Map.Entry<Long, Long> before = pages.floorEntry(start);
        if (before != null && before.getValue() >= end) {
            return; // read before
        }
        long mergedStart = before != null && before.getValue() >= start ? before.getKey() : start;
        long mergedEnd = end;
        long covered = 0;
        List<Long> swallowed = new ArrayList<>();
        for (Map.Entry<Long, Long> e : pages.subMap(mergedStart, true, end, true).entrySet()) {
            mergedEnd = Math.max(mergedEnd, e.getValue());
            covered += e.getValue() - e.getKey();
            swallowed.add(e.getKey());
        }
        long added = (mergedEnd - mergedStart) - covered;
        if (pageBytes + added > PagePack.MAX_RAW_BYTES
                || pages.size() - swallowed.size() + 1 > PagePack.MAX_RANGES) {
            return; // full: later starts read these pages from chunks
        }
        swallowed.forEach(pages::remove);
        pages.put(mergedStart, mergedEnd);
        pageBytes += added;
    }

    /** The pages read so far, sorted and merged. */
    public synchronized List<PageRange> pages() {
        List<PageRange> out = new ArrayList<>(pages.size());
        pages.forEach((start, end) -> out.add(new PageRange(start, end - start)));
        return out;
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
