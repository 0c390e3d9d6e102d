package dev.thaw.snapshot.workingset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.FileDigests;
import dev.thaw.api.MachineShape;
import dev.thaw.api.SnapshotInfo;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    private static final int CHUNK = 64 << 10;

    // On the build directory's disk, not /tmp: tmpfs pages never leave the page cache.
    private Path dir;
    private Path mem;
    private SnapshotInfo info;

    @BeforeEach
    void write() throws Exception {
        dir = Files.createTempDirectory(Path.of("target"), "readahead-");
        mem = dir.resolve("mem");
        // 16 chunks of 64 KiB: data everywhere but chunks 4 and 5, which stay zero.
        byte[] bytes = new byte[16 * CHUNK];
        new Random(3).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 4 * CHUNK, 6 * CHUNK, (byte) 0);
        try (FileChannel out = FileChannel.open(mem, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(bytes));
            out.force(true);
        }
        SnapshotInfo.FileEntry entry = FileDigests.describe(mem, CHUNK);
        info = new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, "hello", "r1", "qemu-microvm", "7.2.19",
                new MachineShape(512, 1), "k", List.of("i"), Map.of("mem", entry), Instant.EPOCH, "n", 1);
    }

    @AfterEach
    void clean() throws Exception {
        Files.deleteIfExists(mem);
        Files.deleteIfExists(dir);
    }

    @Test
    void rangesMergeAdjacentChunksInFileOrderAndSkipZeroChunks() {
        WorkingSet set = WorkingSet.of(info, "mem", List.of(9, 2, 4, 3, 15, 10, 0, 5), "n");
        assertThat(ReadAhead.ranges(info.files().get("mem"), set)).containsExactly(
                new ReadAhead.Range(0, CHUNK),
                new ReadAhead.Range(2L * CHUNK, 2L * CHUNK),
                new ReadAhead.Range(9L * CHUNK, 2L * CHUNK),
                new ReadAhead.Range(15L * CHUNK, CHUNK));
    }

    @Test
    void aColdFileHasTheSetsChunksInThePageCacheAfterReadAhead() throws Exception {
        assertThat(ReadAhead.dropCached(mem)).isTrue();
        try (FileChannel channel = FileChannel.open(mem, StandardOpenOption.READ)) {
            MappedByteBuffer chunk9 = channel.map(FileChannel.MapMode.READ_ONLY, 9L * CHUNK, CHUNK);
            MappedByteBuffer chunk12 = channel.map(FileChannel.MapMode.READ_ONLY, 12L * CHUNK, CHUNK);
            assertThat(chunk9.isLoaded()).as("dropped from the page cache").isFalse();

            ReadAhead.Result result = ReadAhead.willNeed(mem, info.files().get("mem"),
                    WorkingSet.of(info, "mem", List.of(9, 4), "n"));
            assertThat(result).isEqualTo(new ReadAhead.Result(1, CHUNK, "fadvise"));
            // The reads run in the background: wait for them, bounded.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!chunk9.isLoaded() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertThat(chunk9.isLoaded()).as("read ahead").isTrue();
            assertThat(chunk12.isLoaded()).as("not in the set").isFalse();
        }
    }
}
