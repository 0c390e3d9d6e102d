package dev.thaw.api;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Computes a file's {@link SnapshotInfo.FileEntry}: whole-file and per-chunk SHA-256 in one read. */
public final class FileDigests {
    private static final ConcurrentMap<Integer, String> ZERO_CHUNK = new ConcurrentHashMap<>();
    private static final MemorySegment ZEROS =
            MemorySegment.ofArray(new long[SnapshotInfo.FileEntry.DEFAULT_CHUNK_SIZE / 8]);

    private FileDigests() {
    }

    /** Describes {@code file} in chunks of {@link SnapshotInfo.FileEntry#DEFAULT_CHUNK_SIZE}. */
    public static SnapshotInfo.FileEntry describe(Path file) throws IOException {
        return describe(file, SnapshotInfo.FileEntry.DEFAULT_CHUNK_SIZE);
    }

    public static SnapshotInfo.FileEntry describe(Path file, int chunkSize) throws IOException {
        MessageDigest whole = sha256();
        List<String> chunks = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(chunkSize);
        MemorySegment view = MemorySegment.ofBuffer(buffer);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            for (long position = 0; position < size; position += chunkSize) {
                buffer.clear();
                int length = (int) Math.min(chunkSize, size - position);
                buffer.limit(length);
                while (buffer.hasRemaining()) {
                    if (in.read(buffer, position + buffer.position()) < 0) {
                        throw new IOException(file + " shrank while it was hashed");
                    }
                }
                buffer.flip();
                // Guest memory is mostly zero: the digest of a zero chunk is known already.
                chunks.add(isZero(view, length) ? zeroChunkSha256(length) : hex(digest(sha256(), buffer.duplicate())));
                whole.update(buffer);
            }
            return new SnapshotInfo.FileEntry(size, hex(whole.digest()), chunkSize, chunks);
        }
    }

    /** The SHA-256 of the whole of {@code file}, hex, in one sequential read. */
    public static String sha256Hex(Path file) throws IOException {
        MessageDigest whole = sha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect(SnapshotInfo.FileEntry.DEFAULT_CHUNK_SIZE);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (in.read(buffer) >= 0) {
                buffer.flip();
                whole.update(buffer);
                buffer.clear();
            }
        }
        return hex(whole.digest());
    }

    /** The SHA-256 of {@code bytes}, hex. */
    public static String sha256Hex(ByteBuffer bytes) {
        return hex(digest(sha256(), bytes));
    }

    /** The SHA-256 of {@code length} zero bytes, hex. */
    public static String zeroChunkSha256(int length) {
        return ZERO_CHUNK.computeIfAbsent(length, n -> hex(sha256().digest(new byte[n])));
    }

    /** Whether the first {@code length} bytes of {@code segment} are all zero. */
    public static boolean isZero(MemorySegment segment, int length) {
        MemorySegment zeros = ZEROS;
        if (zeros.byteSize() < length) {
            zeros = MemorySegment.ofArray(new long[(length + 7) / 8]);
        }
        return segment.asSlice(0, length).mismatch(zeros.asSlice(0, length)) == -1;
    }

    private static byte[] digest(MessageDigest digest, ByteBuffer buffer) {
        digest.update(buffer);
        return digest.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
