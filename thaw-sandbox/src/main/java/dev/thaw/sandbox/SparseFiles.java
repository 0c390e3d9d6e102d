package dev.thaw.sandbox;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Copying guest memory images, which are mostly zero pages. */
public final class SparseFiles {
    private static final int PAGE = 4096;
    private static final int CHUNK = 2 << 20;
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[PAGE]);

    private SparseFiles() {
    }

    /** Bytes in the file, and bytes actually written (not zero pages left as holes). */
    public record CopyStats(long size, long dataBytes) {
    }

    /**
     * Copies {@code from} to a new file {@code to}, leaving all-zero pages as holes,
     * so a 256 MiB guest that touched 60 MiB costs 60 MiB of disk. The copy is readable by its
     * owner only: it is guest memory.
     */
    public static CopyStats copy(Path from, Path to) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(to, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_FILE))) {
            long size = in.size();
            long data = 0;
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            MemorySegment view = MemorySegment.ofBuffer(buffer);
            for (long position = 0; position < size; position += CHUNK) {
                buffer.clear();
                int filled = 0;
                while (filled < CHUNK && position + filled < size) {
                    int n = in.read(buffer, position + filled);
                    if (n < 0) {
                        break;
                    }
                    filled += n;
                }
                for (int page = 0; page < filled; page += PAGE) {
                    int length = Math.min(PAGE, filled - page);
                    if (view.asSlice(page, length).mismatch(ZERO_PAGE.asSlice(0, length)) == -1) {
                        continue;
                    }
                    ByteBuffer slice = buffer.duplicate().position(page).limit(page + length);
                    while (slice.hasRemaining()) {
                        out.write(slice, position + page + (length - slice.remaining()));
                    }
                    data += length;
                }
            }
            if (out.size() < size) {
                // a trailing hole: extend without writing
                out.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            return new CopyStats(size, data);
        }
    }
}
