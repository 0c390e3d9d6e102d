package dev.thaw.snapshot.lazy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.api.MachineShape;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.CorruptBundleException;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.trust.NodeKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real FUSE mount served by this JVM, presenting a snapshot published to a real directory store:
 * reads and private mappings see exactly the published bytes, chunks arrive on first touch, verified.
 */
class LazyMountTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    private ExecutorService fetchers;
    private SnapshotStore store;
    private DirectoryObjectStore objects;
    private SnapshotInfo info;
    private byte[] memory;

    @BeforeEach
    void publish() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse");
        fetchers = Executors.newVirtualThreadPerTaskExecutor();
        objects = new DirectoryObjectStore(tmp.resolve("store"));
        store = new SnapshotStore(objects, NodeKey.generate("node-1"));
        Path dir = Files.createDirectories(tmp.resolve("snapshot"));
        memory = new byte[8 * MIB];
        Random random = new Random(5);
        byte[] some = new byte[2 * MIB + 123];
        random.nextBytes(some);
        System.arraycopy(some, 0, memory, 0, some.length); // chunks 0-2 data, 3-4 zero
        System.arraycopy(some, 0, memory, 5 * MIB, MIB); // chunk 5 repeats chunk 0
        random.nextBytes(some);
        System.arraycopy(some, 0, memory, 7 * MIB, MIB - 1); // chunk 7 data, chunk 6 zero
        Files.write(dir.resolve("mem"), memory);
        Files.write(dir.resolve("vmstate"), "device state".getBytes(StandardCharsets.UTF_8));
        info = new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, "hello", "r1", "qemu-microvm", "7.2.19",
                new MachineShape(512, 1), "sha256:kernel", List.of("img1"),
                Map.of("mem", FileDigests.describe(dir.resolve("mem")), "vmstate",
                        FileDigests.describe(dir.resolve("vmstate"))),
                Instant.parse("2025-03-01T10:00:00Z"), "node-1", 12.5);
        store.publishSnapshot(dir, info);
    }

    @AfterEach
    void stop() {
        if (fetchers != null) {
            fetchers.shutdownNow();
        }
    }

    private ChunkCache cache(long budget) throws IOException {
        return ChunkCache.open(tmp.resolve("chunks"), budget, fetchers, Duration.ofSeconds(10));
    }

    private PresentedFile.ChunkSource source() {
        return (index, fetched) -> store.fetchChunk(info, "mem", index, fetched);
    }

    @Test
    void aPresentedFileReadsAndMapsAsThePublishedBytesFetchingEachChunkOnceOnFirstTouch() throws Exception {
        List<Integer> firstReads = Collections.synchronizedList(new ArrayList<>());
        try (ChunkCache chunks = cache(64L * MIB);
                LazyMount mount = LazyMount.mount(tmp.resolve("lazy"), chunks)) {
            PresentedFile file = mount.present("mem", info.files().get("mem"), source(),
                    (name, index) -> firstReads.add(index));
            assertThat(Files.size(file.path())).isEqualTo(memory.length);
            // The first two chunks, and those read or fetched ahead after a miss: not the zero chunks.
            byte[] head = new byte[2 * MIB];
            try (FileChannel in = FileChannel.open(file.path(), StandardOpenOption.READ)) {
                in.read(ByteBuffer.wrap(head), 0);
            }
            assertThat(head).isEqualTo(Arrays.copyOf(memory, 2 * MIB));
            assertThat(chunks.counters().misses()).isPositive();
            assertThat(fetches(chunks)).isBetween(2L, 4L);
            assertThat(file.fetchedBytes()).isPositive();
            // A private, writable mapping as a VMM makes: the published bytes, and writes stay private. Mapped in
            // a process of its own, as a VMM maps it: a fault in this JVM on a file this JVM serves would stall its
            // safepoints, and with them the FUSE threads that are to answer the fault.
            assertThat(PrivateMapping.readAndWrite(file.path()))
                    .isEqualTo(FileDigests.sha256Hex(ByteBuffer.wrap(memory)));
            try (FileChannel in = FileChannel.open(file.path(), StandardOpenOption.READ)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                in.read(one, 0);
                assertThat(one.get(0)).isEqualTo(memory[0]);
            }
            assertThatThrownBy(() -> Files.write(file.path(), new byte[1], StandardOpenOption.WRITE))
                    .isInstanceOf(IOException.class);
            // Chunks 0, 1, 2 and 7 hold data; 5 repeats 0 and is stored once; zero chunks are never fetched.
            assertThat(fetches(chunks)).isEqualTo(4);
            assertThat(chunks.counters().chunks()).isEqualTo(4);
            assertThat(firstReads).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);

            // A second file of the same snapshot (another clone): everything from the node's cache.
            long fetchedBefore = chunks.counters().fetchedBytes();
            try (PresentedFile again = mount.present("mem", info.files().get("mem"), source(),
                    ChunkAccessListener.NONE)) {
                assertThat(Files.readAllBytes(again.path())).isEqualTo(memory);
                assertThat(again.fetchedBytes()).isZero();
            }
            assertThat(chunks.counters().fetchedBytes()).isEqualTo(fetchedBefore);
            file.close();
            assertThat(file.path()).doesNotExist();
        }
        assertThat(Unmount.isMountPoint(tmp.resolve("lazy"))).as("unmounted on close").isFalse();
    }

    /** Chunks fetched on demand or ahead: each distinct fetch is counted once as one or the other. */
    private static long fetches(ChunkCache chunks) {
        return chunks.counters().misses() + chunks.counters().prefetches();
    }

    @Test
    void aReadThatAPageSourceLacksFetchesItsChunkAloneWithoutFetchingAhead() throws Exception {
        // Serves page 0 only, as a page pack holding one page would.
        PageSource firstPage = (offset, target) -> {
            if (offset + target.remaining() > 4096) {
                return false;
            }
            target.put(memory, (int) offset, target.remaining());
            return true;
        };
        try (ChunkCache chunks = cache(64L * MIB);
                LazyMount mount = LazyMount.mount(tmp.resolve("lazy"), chunks);
                PresentedFile file = mount.present("mem", info.files().get("mem"), source(), ChunkAccessListener.NONE,
                        firstPage);
                FileChannel in = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            ByteBuffer page = ByteBuffer.allocate(4096);
            in.read(page, 0);
            assertThat(page.array()).isEqualTo(Arrays.copyOf(memory, 4096));
            assertThat(fetches(chunks)).as("served from the page source").isZero();
            ByteBuffer missed = ByteBuffer.allocate(4096);
            in.read(missed, MIB + 8192);
            assertThat(missed.array()).isEqualTo(Arrays.copyOfRange(memory, MIB + 8192, MIB + 8192 + 4096));
            // Chunk 1 alone: the pages a pack lacks are scattered, so the chunks after it are not fetched ahead.
            assertThat(chunks.counters().misses()).isEqualTo(1);
            assertThat(chunks.counters().prefetches()).isZero();
        }
    }

    @Test
    void aCorruptChunkFailsTheReadAndIsNeverServed() throws Exception {
        FileEntry mem = info.files().get("mem");
        String key = ChunkTransfer.key(mem.chunks().get(1));
        byte[] frame = objects.get(key);
        frame[frame.length / 2] ^= 0x5a;
        objects.put(key, frame);
        try (ChunkCache chunks = cache(64L * MIB);
                LazyMount mount = LazyMount.mount(tmp.resolve("lazy"), chunks);
                PresentedFile file = mount.present("mem", mem, source(), ChunkAccessListener.NONE);
                FileChannel in = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            ByteBuffer first = ByteBuffer.allocate(4096);
            in.read(first, 0);
            assertThat(first.array()).isEqualTo(Arrays.copyOf(memory, 4096));
            assertThatThrownBy(() -> in.read(ByteBuffer.allocate(4096), MIB)).isInstanceOf(IOException.class);
            assertThat(file.failure()).get().isInstanceOf(CorruptBundleException.class);
            assertThat(file.failure().get().getMessage()).contains("chunk 1 of mem");
            // The kernel may ask again after an error; each try fails (the bad object is gone after the first).
            assertThat(chunks.counters().verifyFailures()).isPositive();
            assertThat(chunks.contains(mem.chunks().get(1))).isFalse();
            assertThat(mount.readFailures()).isPositive();
        }
        assertThat(objects.size(key)).as("a chunk that does not match its name is removed").isEmpty();
    }

    @Test
    void aChunkTheStoreLacksFailsTheRead() throws Exception {
        FileEntry mem = info.files().get("mem");
        objects.delete(ChunkTransfer.key(mem.chunks().get(7)));
        try (ChunkCache chunks = cache(64L * MIB);
                LazyMount mount = LazyMount.mount(tmp.resolve("lazy"), chunks);
                PresentedFile file = mount.present("mem", mem, source(), ChunkAccessListener.NONE);
                FileChannel in = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            assertThatThrownBy(() -> in.read(ByteBuffer.allocate(4096), 7L * MIB)).isInstanceOf(IOException.class);
            assertThat(file.failure().get().getMessage()).contains("missing");
        }
    }

    @Test
    void theCacheKeepsVerifiedChunksAcrossRestartsEvictsLeastRecentlyUsedAndNeverAPinnedOne() throws Exception {
        FileEntry mem = info.files().get("mem");
        try (ChunkCache chunks = cache(64L * MIB);
                LazyMount mount = LazyMount.mount(tmp.resolve("lazy"), chunks);
                PresentedFile file = mount.present("mem", mem, source(), ChunkAccessListener.NONE)) {
            assertThat(Files.readAllBytes(file.path())).isEqualTo(memory);
        }
        Files.write(tmp.resolve("chunks/staging/half.part"), new byte[10]);
        Files.write(tmp.resolve("chunks/data/not-a-digest"), new byte[10]);
        // Reopened with room for three chunks: the least recently used one goes.
        try (ChunkCache chunks = cache(3L * MIB)) {
            assertThat(chunks.counters().chunks()).isEqualTo(3);
            assertThat(tmp.resolve("chunks/staging/half.part")).doesNotExist();
            assertThat(tmp.resolve("chunks/data/not-a-digest")).doesNotExist();
            List<String> cached = chunks.cachedChunks(mem);
            String pinned = cached.getFirst();
            chunks.pin(pinned, mem.chunkLength(0), f -> {
                throw new AssertionError("cached: no fetch");
            });
            assertThat(chunks.counters().hits()).isEqualTo(1);
            // Three chunks fill the budget and one is pinned: two fills evict the two unpinned ones.
            int filled = 0;
            for (int i : new int[] {0, 1, 2, 7}) {
                String digest = mem.chunks().get(i);
                if (!chunks.contains(digest)) {
                    int index = i;
                    chunks.pin(digest, mem.chunkLength(i), f -> store.fetchChunk(info, "mem", index, f));
                    chunks.unpin(digest);
                    filled++;
                }
            }
            assertThat(filled).isBetween(1, 3);
            assertThat(chunks.contains(pinned)).isTrue();
            assertThat(chunks.counters().evictions()).isPositive();
            assertThat(chunks.counters().usedBytes()).isLessThanOrEqualTo(3L * MIB);
            chunks.unpin(pinned);
        }
    }

    @Test
    void aMountLeftBehindIsDetachedBeforeMountingAgain() throws Exception {
        try (ChunkCache chunks = cache(64L * MIB)) {
            LazyMount abandoned = LazyMount.mount(tmp.resolve("lazy"), chunks);
            try (LazyMount again = LazyMount.mount(tmp.resolve("lazy"), chunks);
                    PresentedFile file = again.present("mem", info.files().get("mem"), source(),
                            ChunkAccessListener.NONE)) {
                assertThat(Files.size(file.path())).isEqualTo(memory.length);
            } finally {
                abandoned.close();
            }
            assertThat(Unmount.isMountPoint(tmp.resolve("lazy"))).isFalse();
        }
    }

    /** Maps a file private and writable, prints the SHA-256 of what it reads, then writes its first byte. */
    static final class PrivateMapping {
        static String readAndWrite(Path file) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), PrivateMapping.class.getName(), file.toString())
                    .redirectErrorStream(true).start();
            String output;
            try (var in = process.getInputStream()) {
                output = new String(in.readNBytes(1 << 16), java.nio.charset.StandardCharsets.UTF_8).strip();
            } finally {
                if (!process.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                }
            }
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        }

        public static void main(String[] args) throws IOException {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                MappedByteBuffer map = channel.map(FileChannel.MapMode.PRIVATE, 0, channel.size());
                byte[] all = new byte[(int) channel.size()];
                map.get(all);
                map.put(0, (byte) ~all[0]);
                System.out.println(FileDigests.sha256Hex(ByteBuffer.wrap(all)));
            }
        }
    }
}
