package dev.thaw.snapshot.workingset;

import com.github.luben.zstd.Zstd;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds a {@link PagePack}: copies the bytes of the recorded ranges out of verified chunks of the
 * memory file, in range order, and compresses them into one zstd frame (as chunks are).
 */
public final class PagePackBuilder {
    /** zstd level of chunks: the pack is read as often as they are. */
    private static final int ZSTD_LEVEL = 3;

    /** The verified raw bytes of chunk {@code index} of the file (zeros for a zero chunk). */
    @FunctionalInterface
    public interface Chunks {
        byte[] chunk(int index) throws StoreException, IOException, InterruptedException;
    }

    /** A built pack: its description for the working set, and the object to store. */
    public record Built(PagePack pack, byte[] object) {}

    private PagePackBuilder() {
    }

    /**
     * Packs {@code ranges} (sorted, merged, whole pages, as {@link WorkingSetRecorder#pages} gives
     * them) of the file {@code entry}, reading each chunk once from {@code chunks}.
     *
     * @throws IllegalArgumentException if the ranges are not a valid pack of that file
     */
    public static Built build(FileEntry entry, List<PageRange> ranges, Chunks chunks)
            throws StoreException, IOException, InterruptedException {
        return build(entry, null, ranges, chunks);
    }

    /**
     * Packs {@code ranges} as {@link #build(FileEntry, List, Chunks)} does, taking every page that
     * {@code base} (a verified pack of the same file) holds from it, so that only the chunks of the
     * other pages are read: a pack grown by the pages that starts served from {@code base} missed.
     */
    public static Built extend(FileEntry entry, LoadedPack base, List<PageRange> ranges, Chunks chunks)
            throws StoreException, IOException, InterruptedException {
        return build(entry, java.util.Objects.requireNonNull(base, "base"), ranges, chunks);
    }

    private static Built build(FileEntry entry, LoadedPack base, List<PageRange> ranges, Chunks chunks)
            throws StoreException, IOException, InterruptedException {
        long raw = ranges.stream().mapToLong(PageRange::length).sum();
        PagePack unchecked = new PagePack("0".repeat(64), 1, raw, ranges);
        try {
            unchecked.requireWithin(entry.size(), "the pages to pack");
        } catch (WorkingSetException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        byte[] data = new byte[(int) raw];
        int at = 0;
        int cached = -1;
        byte[] chunk = null;
        for (PageRange range : ranges) {
            long position = range.offset();
            while (position < range.end()) {
                if (base != null && base.read(position, java.nio.ByteBuffer.wrap(data, at, PagePack.PAGE))) {
                    at += PagePack.PAGE;
                    position += PagePack.PAGE;
                    continue;
                }
                int index = (int) (position / entry.chunkSize());
                if (index != cached) {
                    chunk = chunks.chunk(index);
                    cached = index;
                    if (chunk.length != entry.chunkLength(index)) {
                        throw new IOException("chunk " + index + " is " + chunk.length + " bytes, expected "
                                + entry.chunkLength(index));
                    }
                }
                int inChunk = (int) (position - (long) index * entry.chunkSize());
                // Page by page when some pages come from the base pack; else to the end of the range or chunk.
                int n = (int) Math.min(range.end() - position, chunk.length - inChunk);
                if (base != null) {
                    n = Math.min(n, PagePack.PAGE);
                }
                System.arraycopy(chunk, inChunk, data, at, n);
                at += n;
                position += n;
            }
        }
        byte[] object = Zstd.compress(data, ZSTD_LEVEL);
        return new Built(new PagePack(sha256(object), object.length, raw, ranges), object);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
