package dev.thaw.snapshot.workingset;

import com.github.luben.zstd.Zstd;
import dev.thaw.snapshot.workingset.WorkingSetException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A page pack fetched and verified against its signed {@link PagePack}: answers reads that fall
 * entirely within one of its ranges. Immutable, so any number of file system threads read it.
 */
public final class LoadedPack {
    private final long[] starts;
    private final long[] ends;
    /** Where each range's bytes begin in {@link #data}. */
    private final int[] at;
    private final byte[] data;

    private LoadedPack(List<PageRange> ranges, byte[] data) {
        int n = ranges.size();
        this.starts = new long[n];
        this.ends = new long[n];
        this.at = new int[n];
        int position = 0;
        for (int i = 0; i < n; i++) {
            starts[i] = ranges.get(i).offset();
            ends[i] = ranges.get(i).end();
            at[i] = position;
            position += (int) ranges.get(i).length();
        }
        this.data = data;
    }

    /**
     * Checks {@code object} (the stored pack, as one GET brought it) against {@code pack}, whose
     * ranges were checked with the signed working set: its size and SHA-256, then that it is one
     * zstd frame of exactly {@link PagePack#rawBytes}.
     *
     * @param what names the object in messages
     * @throws WorkingSetException ({@link Reason#PACK_MISMATCH} or {@link Reason#PACK_FORMAT}) otherwise
     */
    public static LoadedPack verify(PagePack pack, byte[] object, String what) throws WorkingSetException {
        if (object.length != pack.storedBytes()) {
            throw new WorkingSetException(Reason.PACK_MISMATCH, what + " is " + object.length
                    + " bytes; its signed working set says " + pack.storedBytes());
        }
        String digest = PagePackBuilder.sha256(object);
        if (!digest.equals(pack.sha256())) {
            throw new WorkingSetException(Reason.PACK_MISMATCH, what + " has SHA-256 " + digest
                    + "; its signed working set says " + pack.sha256());
        }
        int raw = (int) pack.rawBytes();
        byte[] data = new byte[raw];
        long size;
        try {
            long frame = Zstd.findFrameCompressedSize(object, 0, object.length);
            if (frame != object.length) {
                throw new WorkingSetException(Reason.PACK_FORMAT, what + " is not one zstd frame of " + object.length
                        + " bytes (frame size " + frame + ")");
            }
            size = Zstd.decompressByteArray(data, 0, raw, object, 0, object.length);
        } catch (RuntimeException e) {
            throw new WorkingSetException(Reason.PACK_FORMAT, what + " is not a zstd frame of " + raw + " bytes: "
                    + e.getMessage());
        }
        if (size != raw) {
            throw new WorkingSetException(Reason.PACK_FORMAT, what + " decompresses to " + size + " bytes, expected "
                    + raw);
        }
        return new LoadedPack(pack.ranges(), data);
    }

    /** Bytes held in memory. */
    public long bytes() {
        return data.length;
    }

    /**
     * Copies the pack's bytes of {@code [offset, offset + target.remaining())} into {@code target}
     * if one range holds all of them; returns false (and copies nothing) otherwise.
     */
    public boolean read(long offset, ByteBuffer target) {
        int length = target.remaining();
        int i = Arrays.binarySearch(starts, offset);
        if (i < 0) {
            i = -i - 2; // the range starting before offset
        }
        if (i < 0 || offset + length > ends[i]) {
            return false;
        }
        target.put(data, at[i] + (int) (offset - starts[i]), length);
        return true;
    }
}
