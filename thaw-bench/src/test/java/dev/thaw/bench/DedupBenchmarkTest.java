package dev.thaw.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.FileDigests;
import dev.thaw.api.MachineShape;
import dev.thaw.api.SnapshotInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk-size analysis of {@code thaw bench dedup}, on real files. */
class DedupBenchmarkTest {
    private static final int KIB = 1024;

    @TempDir
    Path tmp;

    @Test
    void aCopyAddsNothingAndAChangedPageAddsOneChunkOfItsSize() throws Exception {
        byte[] mem = new byte[1024 * KIB];
        new Random(1).nextBytes(mem);
        java.util.Arrays.fill(mem, 512 * KIB, 1024 * KIB, (byte) 0); // a zero half: never counted
        byte[] changed = mem.clone();
        changed[100 * KIB] ^= 1; // one byte in the second 64 KiB chunk
        SnapshotInfo first = snapshot("a", mem);
        SnapshotInfo copy = snapshot("b", mem);
        SnapshotInfo revision = snapshot("c", changed);
        List<Path> dirs = List.of(tmp.resolve("a"), tmp.resolve("b"), tmp.resolve("c"));

        DedupBenchmark.ChunkSize small = DedupBenchmark.cut(List.of(first, copy, revision), dirs, 64 * KIB);
        DedupBenchmark.ChunkSize large = DedupBenchmark.cut(List.of(first, copy, revision), dirs, 512 * KIB);

        assertThat(small.firstChunks()).isEqualTo(8);
        assertThat(small.chunks()).isEqualTo(24);
        assertThat(small.distinctChunks()).isEqualTo(9);
        assertThat(small.addedBytes().getFirst()).isZero();
        // Random bytes do not compress: one new 64 KiB chunk is about an eighth of the first's bytes.
        assertThat(small.addedBytes().get(1)).isBetween(60L * KIB, 70L * KIB);
        assertThat(small.dedupRatio()).isBetween(2.6, 2.7);
        assertThat(large.firstChunks()).isEqualTo(1);
        assertThat(large.distinctChunks()).isEqualTo(2);
        assertThat(large.addedBytes().get(1)).isEqualTo(large.firstBytes());
    }

    private SnapshotInfo snapshot(String name, byte[] mem) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path file = Files.write(dir.resolve("mem"), mem);
        return new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, "f-" + name, "r1", "qemu-microvm", "7.2.19",
                new MachineShape(512, 1), "k", List.of(), Map.of("mem", FileDigests.describe(file)), Instant.EPOCH,
                "node", 1);
    }
}
