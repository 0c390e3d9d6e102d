package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDigestsTest {
    @TempDir
    Path dir;

    @Test
    void wholeFileAndChunkDigestsMatchAPlainSha256() throws Exception {
        byte[] content = new byte[10_000];
        Arrays.fill(content, 0, 4096, (byte) 7); // chunk 0 data, chunk 1 zero, chunk 2 short and zero
        Path file = dir.resolve("f");
        Files.write(file, content);

        SnapshotInfo.FileEntry entry = FileDigests.describe(file, 4096);

        assertThat(entry.size()).isEqualTo(10_000);
        assertThat(entry.sha256()).isEqualTo(sha256(content));
        assertThat(entry.chunks()).containsExactly(
                sha256(Arrays.copyOfRange(content, 0, 4096)),
                sha256(new byte[4096]),
                sha256(new byte[10_000 - 8192]));
        assertThat(entry.chunkLength(2)).isEqualTo(10_000 - 8192);
    }

    @Test
    void sparseFileHashesLikeItsZeros() throws IOException {
        Path file = dir.resolve("sparse");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(new byte[] {1}), (3L << 20) - 1);
        }
        SnapshotInfo.FileEntry entry = FileDigests.describe(file);
        assertThat(entry.chunks()).hasSize(3);
        assertThat(entry.chunks().get(0)).isEqualTo(FileDigests.zeroChunkSha256(1 << 20));
        assertThat(entry.chunks().get(2)).isNotEqualTo(FileDigests.zeroChunkSha256(1 << 20));
    }

    @Test
    void emptyFileHasNoChunks() throws Exception {
        Path file = Files.createFile(dir.resolve("empty"));
        SnapshotInfo.FileEntry entry = FileDigests.describe(file);
        assertThat(entry.chunks()).isEmpty();
        assertThat(entry.sha256()).isEqualTo(sha256(new byte[0]));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
