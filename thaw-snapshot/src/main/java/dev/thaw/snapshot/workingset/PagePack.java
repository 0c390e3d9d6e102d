package dev.thaw.snapshot.workingset;

import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.workingset.WorkingSetException.Reason;
import java.util.List;
import java.util.Objects;

/**
 * The pages of a working set, packed: the bytes of {@code ranges} of the memory file, in range
 * order, as one zstd frame stored beside the working set as {@value #FILE_NAME}. The signed
 * working set names the pack's SHA-256 and size, so a node checks the one GET that brings it before
 * any of its bytes reaches a guest.
 *
 * @param sha256 SHA-256 of the stored (compressed) object
 * @param storedBytes the stored object's size
 * @param rawBytes the sum of the ranges' lengths: what the frame decompresses to
 * @param ranges page-aligned ranges of the file, sorted, not overlapping
 */
public record PagePack(String sha256, long storedBytes, long rawBytes, List<PageRange> ranges) {

    public static final String FILE_NAME = "working-set.pack";
    /** Pages are recorded and served in units of this many bytes. */
    public static final int PAGE = 4096;
    /** Ranges a pack may name: far more than the ~800 a small function's start reads. */
    public static final int MAX_RANGES = 1 << 16;
    /** Raw bytes a pack may hold; it is held in memory while instances of its revision start. */
    public static final long MAX_RAW_BYTES = 64L << 20;

    public PagePack {
        Objects.requireNonNull(sha256, "sha256");
        ranges = List.copyOf(ranges);
    }

    /**
     * Checks that this pack can describe pages of a file of {@code fileSize} bytes: a SHA-256, a
     * stored size a whole-object read takes, at most {@link #MAX_RANGES} page-aligned ranges inside
     * the file, sorted and not overlapping, adding up to {@code rawBytes} of at most
     * {@link #MAX_RAW_BYTES}.
     *
     * @param what names the working set in the message
     * @throws WorkingSetException ({@link Reason#OUTSIDE} or {@link Reason#TOO_LARGE}) otherwise
     */
    public void requireWithin(long fileSize, String what) throws WorkingSetException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new WorkingSetException(Reason.FORMAT, what + ": its pack's sha256 is not 64 lower-case hex digits");
        }
        if (ranges.size() > MAX_RANGES) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + ": its pack names " + ranges.size()
                    + " ranges, more than " + MAX_RANGES);
        }
        if (rawBytes <= 0 || rawBytes > MAX_RAW_BYTES) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + ": its pack holds " + rawBytes
                    + " bytes; a pack holds 1 to " + MAX_RAW_BYTES);
        }
        if (storedBytes <= 0 || storedBytes > ObjectStore.MAX_WHOLE_OBJECT_BYTES) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + ": its pack is " + storedBytes
                    + " bytes stored; a pack is stored in 1 to " + ObjectStore.MAX_WHOLE_OBJECT_BYTES);
        }
        long previousEnd = 0;
        long total = 0;
        for (int i = 0; i < ranges.size(); i++) {
            PageRange range = ranges.get(i);
            if (range.offset() % PAGE != 0 || range.length() <= 0 || range.length() % PAGE != 0) {
                throw outside(what, "range " + i + " " + show(range) + " is not whole pages of " + PAGE + " bytes");
            }
            if (range.offset() < previousEnd) {
                throw outside(what, "range " + i + " " + show(range) + " starts before the end of the range before it ("
                        + previousEnd + "): ranges must be sorted and must not overlap");
            }
            if (range.length() > fileSize || range.offset() > fileSize - range.length()) {
                throw outside(what, "range " + i + " " + show(range) + " ends past the end of the file (" + fileSize
                        + " bytes)");
            }
            previousEnd = range.end();
            total += range.length();
        }
        if (total != rawBytes) {
            throw new WorkingSetException(Reason.FORMAT, what + ": its pack's ranges add up to " + total
                    + " bytes but it says it holds " + rawBytes);
        }
    }

    private static String show(PageRange range) {
        return "[" + range.offset() + ", " + range.length() + "]";
    }

    private static WorkingSetException outside(String what, String detail) {
        return new WorkingSetException(Reason.OUTSIDE, what + ": its pack's " + detail);
    }
}
