package dev.thaw.snapshot.store;

import dev.thaw.api.FileDigests;
import dev.thaw.api.MachineShape;
import dev.thaw.api.SnapshotInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small snapshot directories for store tests. */
final class Bundles {

    static final int MIB = 1 << 20;

    private Bundles() {}

    /**
     * A sparse {@code mem} of {@code sizeMib} with random data at a few MiB offsets and a small
     * {@code vmstate}, plus their info.
     */
    static SnapshotInfo sparseSnapshot(Path dir, String function, String revision, int sizeMib, long seed)
            throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        Path mem = dir.resolve("mem");
        try (FileChannel out = FileChannel.open(mem, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // Random (incompressible) data at the start, one chunk mid-file, a partial chunk at the end.
            write(out, 0, randomBytes(random, 2 * MIB));
            write(out, (long) (sizeMib / 2) * MIB + 4096, randomBytes(random, MIB));
            write(out, (long) sizeMib * MIB - 1000, randomBytes(random, 1000));
        }
        Path vmstate = dir.resolve("vmstate");
        byte[] state = new byte[70_000];
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte) (i % 251 == 0 ? random.nextInt() : i % 7);
        }
        Files.write(vmstate, state);
        return info(function, revision, Map.of("mem", FileDigests.describe(mem), "vmstate", FileDigests.describe(vmstate)));
    }

    static SnapshotInfo info(String function, String revision, Map<String, SnapshotInfo.FileEntry> files) {
        return new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, function, revision, "qemu-microvm", "7.2.19",
                new MachineShape(512, 1), "sha256:kernel", List.of("img1"), files, Instant.parse("2025-03-01T10:00:00Z"),
                "node-1", 123.5);
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static void write(FileChannel out, long position, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            out.write(buffer, position + buffer.position());
        }
    }
}
