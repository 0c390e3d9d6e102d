package dev.thaw.snapshot.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's snapshot and image cache and its chunk cache sharing one {@link DiskBudget}. */
class DiskBudgetTest {
    private static final int CHUNK = 100;

    @TempDir
    Path tmp;

    private final ExecutorService fetchers = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        fetchers.shutdownNow();
    }

    /** As a node opens them: the chunk cache joins first, so it gives room back first. */
    private record Caches(DiskBudget budget, ChunkCache chunks, NodeCache entries) implements AutoCloseable {
        @Override
        public void close() {
            entries.close();
            chunks.close();
        }
    }

    private Caches open(long limit) throws IOException {
        DiskBudget budget = DiskBudget.of(limit);
        ChunkCache chunks = ChunkCache.open(tmp.resolve("chunks"), budget, fetchers, Duration.ofSeconds(10));
        NodeCache entries = NodeCache.open(tmp.resolve("cache"), budget, new EvictionPolicy.Lru());
        return new Caches(budget, chunks, entries);
    }

    private static byte[] chunk(int seed) {
        byte[] bytes = new byte[CHUNK];
        Arrays.fill(bytes, (byte) seed);
        return bytes;
    }

    private static String digest(byte[] bytes) {
        return FileDigests.sha256Hex(ByteBuffer.wrap(bytes));
    }

    /** Fetches chunk {@code seed} into the cache and pins it; returns its digest. */
    private static String pin(ChunkCache chunks, int seed) throws Exception {
        byte[] bytes = chunk(seed);
        String digest = digest(bytes);
        chunks.pin(digest, CHUNK, fetched -> {
            fetched.addAndGet(CHUNK);
            return bytes.clone();
        });
        return digest;
    }

    /** Fetches chunk {@code seed} into the cache, leaving it unpinned; returns its digest. */
    private static String cacheChunk(ChunkCache chunks, int seed) throws Exception {
        String digest = pin(chunks, seed);
        chunks.unpin(digest);
        return digest;
    }

    private static Filler writing(long bytes) {
        return dir -> {
            Files.write(dir.resolve("data"), new byte[(int) bytes]);
            return bytes;
        };
    }

    private static long filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(EntryMarker.FILE_NAME))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Bytes of chunk files and entry data on disk (entry markers are not counted by either cache). */
    private long onDisk() throws IOException {
        return filesUnder(tmp.resolve("chunks")) + filesUnder(tmp.resolve("cache"));
    }

    @Test
    void bothCachesFillOneBudgetAndReportTheirShares() throws Exception {
        try (Caches c = open(1000)) {
            for (int i = 0; i < 3; i++) {
                cacheChunk(c.chunks(), i);
            }
            c.entries().acquire("snapshots/f/r1", 400, writing(400)).close();

            DiskBudget.Usage usage = c.budget().usage();
            assertThat(usage.budgetBytes()).isEqualTo(1000);
            assertThat(usage.usedBytes()).isEqualTo(700);
            assertThat(usage.byCache()).containsExactly(Map.entry("chunks", 300L),
                    Map.entry("snapshots and images", 400L));
            assertThat(c.chunks().counters().usedBytes()).isEqualTo(300);
            assertThat(c.entries().stats().bytesUsed()).isEqualTo(400);
            assertThat(c.entries().stats().budgetBytes()).isEqualTo(1000);
            assertThat(onDisk()).isEqualTo(700);
        }
    }

    @Test
    void anEntryThatNeedsRoomEvictsChunksFirst() throws Exception {
        try (Caches c = open(1000)) {
            c.entries().acquire("snapshots/f/r1", 400, writing(400)).close();
            List<String> digests = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                digests.add(cacheChunk(c.chunks(), i));
            }
            assertThat(c.budget().used()).isEqualTo(1000);

            // 300 more bytes: the three least recently used chunks go, the snapshot stays.
            c.entries().acquire("snapshots/f/r2", 300, writing(300)).close();

            assertThat(c.budget().used()).isEqualTo(1000);
            assertThat(digests.subList(0, 3)).noneMatch(c.chunks()::contains);
            assertThat(digests.subList(3, 6)).allMatch(c.chunks()::contains);
            assertThat(c.entries().contains("snapshots/f/r1")).isTrue();
            assertThat(c.chunks().counters().evictions()).isEqualTo(3);
            assertThat(c.entries().stats().evictions()).isZero();
            assertThat(onDisk()).isEqualTo(1000);
        }
    }

    @Test
    void aChunkThatNeedsRoomEvictsSnapshotsOnceEveryChunkIsPinned() throws Exception {
        try (Caches c = open(600)) {
            c.entries().acquire("snapshots/f/r1", 200, writing(200)).close();
            c.entries().acquire("snapshots/f/r2", 200, writing(200)).close();
            String a = pin(c.chunks(), 1);
            String b = pin(c.chunks(), 2);

            // Full, and both chunks in use: the least recently used snapshot makes room.
            String d = pin(c.chunks(), 3);

            assertThat(c.entries().contains("snapshots/f/r1")).isFalse();
            assertThat(c.entries().contains("snapshots/f/r2")).isTrue();
            assertThat(List.of(a, b, d)).allMatch(c.chunks()::contains);
            assertThat(c.budget().used()).isEqualTo(500);
            assertThat(onDisk()).isEqualTo(500);
        }
    }

    @Test
    void pinnedEntriesOfEitherCacheAreKeptAndAReservationThatCannotFitFailsClearly() throws Exception {
        try (Caches c = open(500)) {
            String a = pin(c.chunks(), 1);
            String b = pin(c.chunks(), 2);
            cacheChunk(c.chunks(), 3);
            try (Lease lease = c.entries().acquire("snapshots/f/r1", 200, writing(200))) {
                // 200 pinned chunks + 200 leased snapshot bytes: 100 bytes could be freed, 150 are needed.
                assertThatThrownBy(() -> c.entries().acquire("images/abc", 250, dir -> {
                    throw new AssertionError("filled an entry that cannot fit");
                }))
                        .isInstanceOf(CacheException.class)
                        .hasMessageContaining("no room for cache entry images/abc (250 bytes) in a budget of 500 bytes")
                        .hasMessageContaining("chunks 300 (200 pinned or reserved)")
                        .hasMessageContaining("snapshots and images 200 (200 pinned or reserved)");
                // Refused before evicting anything.
                assertThat(c.chunks().counters().evictions()).isZero();
                assertThat(c.budget().used()).isEqualTo(500);

                byte[] big = chunk(9);
                assertThatThrownBy(() -> c.chunks().pin("9".repeat(64), CHUNK * 2, fetched -> {
                    byte[] twice = new byte[CHUNK * 2];
                    System.arraycopy(big, 0, twice, 0, CHUNK);
                    return twice;
                }))
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("no room for a chunk of 200 bytes")
                        .hasMessageContaining("the node's disk budget of 500 bytes");
                assertThat(lease.dir().resolve("data")).exists();
                assertThat(List.of(a, b)).allMatch(c.chunks()::contains);
                assertThat(c.chunks().availableBytes()).isEqualTo(100);
            }
            c.chunks().unpin(a);
            c.chunks().unpin(b);
            assertThat(c.chunks().availableBytes()).isEqualTo(500);
            // Unpinned, everything can go: the entry fits now.
            c.entries().acquire("images/abc", 250, writing(250)).close();
            assertThat(c.budget().used()).isLessThanOrEqualTo(500);
            assertThat(onDisk()).isEqualTo(c.budget().used());
        }
    }

    @Test
    void aRestartRebuildsTheUsageFromDiskAndTrimsToALowerBudgetChunksFirst() throws Exception {
        List<String> digests = new ArrayList<>();
        try (Caches c = open(1000)) {
            c.entries().acquire("snapshots/f/r1", 300, writing(300)).close();
            c.entries().acquire("images/abc", 200, writing(200)).close();
            for (int i = 0; i < 4; i++) {
                digests.add(cacheChunk(c.chunks(), i));
            }
            assertThat(c.budget().used()).isEqualTo(900);
        }
        // A half-written chunk and a half-filled entry from a crash count for nothing and are removed.
        Files.write(tmp.resolve("chunks/staging/" + "a".repeat(64) + ".part"), new byte[50]);

        try (Caches c = open(1000)) {
            assertThat(c.budget().usage().byCache()).containsExactly(Map.entry("chunks", 400L),
                    Map.entry("snapshots and images", 500L));
            assertThat(digests).allMatch(c.chunks()::contains);
        }

        // The same disk under a budget of 600: 300 bytes over, all of them chunks.
        try (Caches c = open(600)) {
            assertThat(c.budget().used()).isEqualTo(600);
            assertThat(c.budget().usage().byCache()).containsExactly(Map.entry("chunks", 100L),
                    Map.entry("snapshots and images", 500L));
            assertThat(c.entries().contains("snapshots/f/r1")).isTrue();
            assertThat(c.entries().contains("images/abc")).isTrue();
            assertThat(onDisk()).isEqualTo(600);
        }

        // Under 250 the chunks are gone and the snapshot cache evicts too.
        try (Caches c = open(250)) {
            assertThat(c.budget().usage().byCache()).containsExactly(Map.entry("chunks", 0L),
                    Map.entry("snapshots and images", 200L));
            assertThat(onDisk()).isEqualTo(200);
        }
    }

    @Test
    void concurrentFillsOfBothCachesNeverExceedTheBudgetNorDeadlock() throws Exception {
        try (Caches c = open(1000)) {
            ExecutorService workers = Executors.newFixedThreadPool(6);
            java.util.concurrent.atomic.AtomicLong highest = new java.util.concurrent.atomic.AtomicLong();
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int thread = t;
                    done.add(workers.submit(() -> {
                        for (int i = 0; i < 200; i++) {
                            String digest = pin(c.chunks(), (thread * 7 + i) % 40);
                            highest.accumulateAndGet(c.budget().used(), Math::max);
                            c.chunks().unpin(digest);
                        }
                        return null;
                    }));
                    done.add(workers.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            String key = "images/" + thread + "x" + (i % 7);
                            try (Lease lease = c.entries().acquire(key, 150 + 10 * (i % 5), writing(150 + 10 * (i % 5)))) {
                                highest.accumulateAndGet(c.budget().used(), Math::max);
                            } catch (CacheException e) {
                                // no room while the others pin theirs: refused, and nothing changes
                                assertThat(e).hasMessageContaining("no room");
                            }
                        }
                        return null;
                    }));
                }
                for (var future : done) {
                    future.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                workers.shutdownNow();
            }
            assertThat(highest.get()).isPositive().isLessThanOrEqualTo(1000);
            DiskBudget.Usage usage = c.budget().usage();
            assertThat(usage.usedBytes()).isLessThanOrEqualTo(1000)
                    .isEqualTo(c.chunks().counters().usedBytes() + c.entries().stats().bytesUsed());
            assertThat(c.entries().stats().bytesReserved()).isZero();
            assertThat(onDisk()).isEqualTo(usage.usedBytes());
        }
    }

    @Test
    void aClosedCacheLeavesTheBudget() throws Exception {
        DiskBudget budget = DiskBudget.of(1000);
        ChunkCache chunks = ChunkCache.open(tmp.resolve("chunks"), budget, fetchers, Duration.ofSeconds(10));
        cacheChunk(chunks, 1);
        assertThat(budget.used()).isEqualTo(CHUNK);
        chunks.close();
        assertThat(budget.used()).isZero();
        assertThat(budget.usage().byCache()).isEmpty();
        // It can open again on the same budget, adopting its chunks.
        try (ChunkCache again = ChunkCache.open(tmp.resolve("chunks"), budget, fetchers, Duration.ofSeconds(10))) {
            assertThat(budget.used()).isEqualTo(CHUNK);
        }
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> DiskBudget.of(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        DiskBudget budget = DiskBudget.of(10);
        DiskBudget.Holder none = new DiskBudget.Holder() {
            @Override
            public long evictFor(long bytes) {
                return 0;
            }

            @Override
            public long evictableBytes() {
                return 0;
            }
        };
        DiskBudget.Account account = budget.join("x", none);
        assertThatThrownBy(() -> budget.join("x", none)).isInstanceOf(IllegalArgumentException.class);
        assertThat(account.reserve(11)).isFalse();
        assertThat(account.reserve(10)).isTrue();
        assertThat(account.reserve(1)).isFalse();
        assertThatThrownBy(() -> account.release(11)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> account.reserve(-1)).isInstanceOf(IllegalArgumentException.class);
        account.release(10);
        assertThat(budget.used()).isZero();
    }
}
