package dev.thaw.snapshot.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCacheTest {

    @TempDir
    Path root;

    /** Writes {@code bytes} bytes into the entry and reports them as fetched. */
    private static Filler writing(long bytes) {
        return dir -> {
            Files.write(dir.resolve("data"), new byte[(int) bytes]);
            return bytes;
        };
    }

    private static final Filler MUST_NOT_RUN = dir -> {
        throw new AssertionError("filler ran for an entry that should have been cached");
    };

    /** Fills {@code key} and closes the lease at once, leaving the entry unpinned. */
    private static void fill(NodeCache cache, String key, long bytes) throws Exception {
        cache.acquire(key, bytes, writing(bytes)).close();
    }

    private static List<String> keys(NodeCache cache) {
        return cache.entries().stream().map(CacheEntry::key).toList();
    }

    @Test
    void countsHitsAndMissesAndFillsOnlyOnMiss() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            try (Lease lease = cache.acquire("images/85ab", 100, writing(100))) {
                assertThat(lease.key()).isEqualTo("images/85ab");
                assertThat(lease.bytes()).isEqualTo(100);
                assertThat(lease.dir()).isEqualTo(root.resolve("images/85ab"));
                assertThat(lease.dir().resolve("data")).hasSize(100);
            }
            cache.acquire("images/85ab", 100, MUST_NOT_RUN).close();
            assertThat(cache.lookup("images/85ab")).hasValueSatisfying(Lease::close);
            assertThat(cache.lookup("images/ffff")).isEmpty();

            CacheStats stats = cache.stats();
            assertThat(stats.hits()).isEqualTo(2);
            assertThat(stats.misses()).isEqualTo(1);
            assertThat(stats.fills()).isEqualTo(1);
            assertThat(stats.bytesFetched()).isEqualTo(100);
            assertThat(stats.bytesUsed()).isEqualTo(100);
            assertThat(stats.bytesReserved()).isZero();
            assertThat(stats.entries()).isEqualTo(1);
            assertThat(cache.entries()).singleElement()
                    .satisfies(e -> assertThat(e.pins()).isZero())
                    .satisfies(e -> assertThat(e.bytes()).isEqualTo(100));
        }
    }

    @Test
    void evictsTheLeastRecentlyUsedEntryAndTellsListeners() throws Exception {
        List<CacheEvent> events = new CopyOnWriteArrayList<>();
        try (NodeCache cache = NodeCache.open(root, 300)) {
            fill(cache, "images/a", 100);
            cache.addListener(events::add);
            fill(cache, "images/b", 100);
            fill(cache, "images/c", 100);
            cache.lookup("images/a").orElseThrow().close();

            fill(cache, "images/d", 100);

            assertThat(keys(cache)).containsExactly("images/d", "images/a", "images/c");
            assertThat(root.resolve("images/b")).doesNotExist();
            assertThat(cache.stats().evictions()).isEqualTo(1);
            assertThat(cache.stats().bytesUsed()).isEqualTo(300);
            assertThat(events).containsExactly(
                    new CacheEvent(CacheEvent.Kind.ADDED, "images/a", 100),
                    new CacheEvent(CacheEvent.Kind.ADDED, "images/b", 100),
                    new CacheEvent(CacheEvent.Kind.ADDED, "images/c", 100),
                    new CacheEvent(CacheEvent.Kind.REMOVED, "images/b", 100),
                    new CacheEvent(CacheEvent.Kind.ADDED, "images/d", 100));
        }
    }

    @Test
    void neverEvictsPinnedEntries() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 200)) {
            Lease a = cache.acquire("images/a", 100, writing(100));
            fill(cache, "images/b", 100);
            Lease c = cache.acquire("images/c", 100, writing(100));

            assertThat(keys(cache)).containsExactly("images/c", "images/a");
            assertThatThrownBy(() -> cache.acquire("images/d", 100, MUST_NOT_RUN))
                    .isInstanceOf(CacheException.class)
                    .hasMessageContaining("200 bytes are pinned");
            assertThat(keys(cache)).containsExactly("images/c", "images/a");
            assertThat(cache.stats().bytesReserved()).isZero();

            c.close();
            cache.acquire("images/d", 100, writing(100)).close();
            assertThat(keys(cache)).containsExactly("images/d", "images/a");
            a.close();
        }
    }

    @Test
    void evictsNothingWhenPinnedEntriesLeaveTooLittleRoom() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 300);
                Lease a = cache.acquire("images/a", 100, writing(100))) {
            fill(cache, "images/b", 100);
            fill(cache, "images/c", 100);

            // Evicting b and c would free 200 bytes, not the 250 needed: keep them.
            assertThatThrownBy(() -> cache.acquire("images/d", 250, MUST_NOT_RUN))
                    .isInstanceOf(CacheException.class)
                    .hasMessageContaining("100 bytes are pinned");
            assertThat(keys(cache)).containsExactlyInAnyOrder("images/a", "images/b", "images/c");
            assertThat(cache.stats().evictions()).isZero();
            assertThat(a.dir()).isDirectory();
        }
    }

    @Test
    void refusesAnEntryLargerThanTheBudgetWithoutEvicting() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 100)) {
            fill(cache, "images/a", 60);

            assertThatThrownBy(() -> cache.acquire("images/big", 101, MUST_NOT_RUN))
                    .isInstanceOf(CacheException.class)
                    .hasMessageContaining("needs 101 bytes")
                    .hasMessageContaining("budget is 100 bytes");
            assertThat(cache.contains("images/a")).isTrue();
            assertThat(cache.stats().evictions()).isZero();
            assertThat(cache.stats().bytesReserved()).isZero();
        }
    }

    @Test
    void concurrentAcquiresOfOneKeyShareOneFill() throws Exception {
        int threads = 8;
        AtomicInteger fillerRuns = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Filler slow = dir -> {
            fillerRuns.incrementAndGet();
            await(release);
            Files.writeString(dir.resolve("data"), "snapshot");
            return 8;
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            List<Future<Lease>> leases = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                leases.add(pool.submit(() -> cache.acquire("snapshots/hello/3f2a", 8, slow)));
            }
            waitUntil(() -> cache.waitingFor("snapshots/hello/3f2a") == threads - 1);
            release.countDown();

            for (Future<Lease> future : leases) {
                Lease lease = future.get(10, TimeUnit.SECONDS);
                assertThat(lease.dir().resolve("data")).hasContent("snapshot");
            }
            assertThat(fillerRuns).hasValue(1);
            CacheStats stats = cache.stats();
            assertThat(stats.coalesced()).isEqualTo(threads - 1);
            assertThat(stats.misses()).isEqualTo(1);
            assertThat(stats.fills()).isEqualTo(1);
            assertThat(stats.bytesFetched()).isEqualTo(8);
            assertThat(cache.entries()).singleElement().satisfies(e -> assertThat(e.pins()).isEqualTo(threads));
            for (Future<Lease> future : leases) {
                future.get().close();
            }
            assertThat(cache.entries()).singleElement().satisfies(e -> assertThat(e.pins()).isZero());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fillsOfDifferentKeysRunInParallel() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        Filler meetingTheOther = dir -> {
            bothRunning.countDown();
            await(bothRunning); // fails after 10 s if the other fill cannot start meanwhile
            return 0;
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            Future<Lease> a = pool.submit(() -> cache.acquire("images/a", 10, meetingTheOther));
            Future<Lease> b = pool.submit(() -> cache.acquire("images/b", 10, meetingTheOther));
            a.get(10, TimeUnit.SECONDS).close();
            b.get(10, TimeUnit.SECONDS).close();
            assertThat(cache.stats().fills()).isEqualTo(2);
            assertThat(cache.stats().bytesFetched()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedFillFailsEveryWaiterAndLeavesNothingBehind() throws Exception {
        int threads = 4;
        CountDownLatch release = new CountDownLatch(1);
        Filler failing = dir -> {
            Files.write(dir.resolve("part"), new byte[50]);
            await(release);
            throw new IOException("object store unreachable");
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (NodeCache cache = NodeCache.open(root, 100)) {
            List<Future<Lease>> attempts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                attempts.add(pool.submit(() -> cache.acquire("images/a", 100, failing)));
            }
            waitUntil(() -> cache.waitingFor("images/a") == threads - 1);
            release.countDown();

            for (Future<Lease> attempt : attempts) {
                assertThatThrownBy(() -> attempt.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(CacheException.class)
                        .hasMessageContaining("filling cache entry images/a failed")
                        .hasMessageContaining("object store unreachable");
            }
            CacheStats stats = cache.stats();
            assertThat(stats.failedFills()).isEqualTo(1);
            assertThat(stats.fills()).isZero();
            assertThat(stats.bytesReserved()).isZero();
            assertThat(stats.bytesUsed()).isZero();
            assertThat(root.resolve("images/a")).doesNotExist();
            assertThat(root.resolve(".staging")).isEmptyDirectory();

            // The whole budget is free again.
            cache.acquire("images/a", 100, writing(100)).close();
            assertThat(cache.contains("images/a")).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reopeningRebuildsEntriesWithSizesAndLastUseOrder() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            fill(cache, "snapshots/hello/3f2a", 100);
            fill(cache, "snapshots/hello/4e1b", 200);
            fill(cache, "images/85ab", 300);
            cache.lookup("snapshots/hello/3f2a").orElseThrow().close();
        }
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            assertThat(cache.entries()).extracting(CacheEntry::key, CacheEntry::bytes, CacheEntry::pins)
                    .containsExactly(
                            Tuple.tuple("snapshots/hello/3f2a", 100L, 0),
                            Tuple.tuple("images/85ab", 300L, 0),
                            Tuple.tuple("snapshots/hello/4e1b", 200L, 0));
            assertThat(cache.stats().bytesUsed()).isEqualTo(600);
            try (Lease lease = cache.acquire("images/85ab", 300, MUST_NOT_RUN)) {
                assertThat(lease.dir().resolve("data")).hasSize(300);
            }

            // Now images/85ab is newest; 700 more bytes evict the oldest, then the next oldest.
            fill(cache, "images/ffff", 700);
            assertThat(keys(cache)).containsExactly("images/ffff", "images/85ab");
        }
    }

    @Test
    void openingRemovesHalfWrittenState() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            fill(cache, "snapshots/hello/3f2a", 10);
        }
        Files.createDirectories(root.resolve(".staging/fill-123"));
        Files.writeString(root.resolve(".staging/fill-123/data"), "half");
        Files.createDirectories(root.resolve("images/stray/deeper"));
        Files.writeString(root.resolve("images/stray/deeper/data"), "no marker");
        Files.createDirectories(root.resolve("snapshots/hello/partial"));
        Files.createDirectories(root.resolve("snapshots/other"));
        Files.createDirectories(root.resolve("bad name"));
        Files.createDirectories(root.resolve("images/moved"));
        Files.copy(root.resolve("snapshots/hello/3f2a/" + EntryMarker.FILE_NAME),
                root.resolve("images/moved/" + EntryMarker.FILE_NAME));

        try (NodeCache cache = NodeCache.open(root, 1000)) {
            assertThat(keys(cache)).containsExactly("snapshots/hello/3f2a");
            assertThat(root.resolve(".staging")).isEmptyDirectory();
            assertThat(root.resolve("images")).doesNotExist();
            assertThat(root.resolve("snapshots/hello/partial")).doesNotExist();
            assertThat(root.resolve("snapshots/other")).doesNotExist();
            assertThat(root.resolve("bad name")).doesNotExist();
            assertThat(root.resolve("snapshots/hello/3f2a/data")).hasSize(10);
        }
    }

    @Test
    void removingAPinnedEntryHidesItAtOnceAndDeletesItsFilesWhenTheLeaseCloses() throws Exception {
        List<CacheEvent> events = new CopyOnWriteArrayList<>();
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            cache.addListener(events::add);
            Lease lease = cache.acquire("snapshots/hello/3f2a", 100, writing(100));

            cache.remove("snapshots/hello/3f2a");

            assertThat(cache.contains("snapshots/hello/3f2a")).isFalse();
            assertThat(cache.lookup("snapshots/hello/3f2a")).isEmpty();
            assertThat(cache.entries()).isEmpty();
            assertThat(events).containsExactly(
                    new CacheEvent(CacheEvent.Kind.ADDED, "snapshots/hello/3f2a", 100),
                    new CacheEvent(CacheEvent.Kind.REMOVED, "snapshots/hello/3f2a", 100));
            assertThat(lease.dir().resolve("data")).hasSize(100);
            assertThat(cache.stats().bytesUsed()).isEqualTo(100);
            assertThatThrownBy(() -> cache.acquire("snapshots/hello/3f2a", 100, MUST_NOT_RUN))
                    .isInstanceOf(CacheException.class)
                    .hasMessageContaining("still use its files");

            lease.close();
            lease.close();

            assertThat(root.resolve("snapshots/hello/3f2a")).doesNotExist();
            assertThat(cache.stats().bytesUsed()).isZero();
            cache.acquire("snapshots/hello/3f2a", 100, writing(100)).close();
            assertThat(cache.contains("snapshots/hello/3f2a")).isTrue();
        }
    }

    @Test
    void removingAnUnpinnedEntryDeletesItsFilesAtOnce() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            fill(cache, "images/a", 100);
            cache.remove("images/a");
            cache.remove("images/a");
            assertThat(root.resolve("images/a")).doesNotExist();
            assertThat(root.resolve(".staging")).isEmptyDirectory();
            assertThat(cache.stats().bytesUsed()).isZero();
            assertThat(cache.stats().evictions()).isZero();
        }
    }

    @Test
    void containsNeverChangesTheLruOrderOrTheCounters() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 200)) {
            fill(cache, "images/a", 100);
            fill(cache, "images/b", 100);
            CacheStats before = cache.stats();
            for (int i = 0; i < 3; i++) {
                assertThat(cache.contains("images/a")).isTrue();
                assertThat(cache.contains("images/zzz")).isFalse();
            }
            assertThat(cache.stats()).isEqualTo(before);

            fill(cache, "images/c", 100);
            assertThat(keys(cache)).containsExactly("images/c", "images/b");
        }
    }

    @Test
    void reopeningWithALowerBudgetEvictsTheLeastRecentlyUsed() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 300)) {
            fill(cache, "images/a", 100);
            fill(cache, "images/b", 100);
            fill(cache, "images/c", 100);
            cache.lookup("images/a").orElseThrow().close();
        }
        try (NodeCache cache = NodeCache.open(root, 150)) {
            assertThat(keys(cache)).containsExactly("images/a");
            assertThat(cache.stats().evictions()).isEqualTo(2);
            assertThat(cache.stats().bytesUsed()).isEqualTo(100);
            assertThat(root.resolve("images/b")).doesNotExist();
            assertThat(root.resolve("images/c")).doesNotExist();
        }
    }

    @Test
    void rejectsKeysThatAreNotSafeRelativePaths() throws Exception {
        try (NodeCache cache = NodeCache.open(root, 1000)) {
            for (String bad : List.of("", "..", "images/..", "/images/a", "images//a", "images/a/", "a\\b",
                    ".staging", "images/.thaw-entry", "x".repeat(129), "images/a b")) {
                assertThatThrownBy(() -> cache.contains(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> cache.acquire(bad, 1, MUST_NOT_RUN)).as(bad)
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(cache.contains("x".repeat(128))).isFalse();

            fill(cache, "snapshots/hello", 1);
            assertThatThrownBy(() -> cache.acquire("snapshots/hello/3f2a", 1, MUST_NOT_RUN))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("nest");
        }
        assertThatThrownBy(() -> NodeCache.open(root, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedCacheRefusesCallsButLeasesStillClose() throws Exception {
        NodeCache cache = NodeCache.open(root, 1000);
        Lease lease = cache.acquire("images/a", 10, writing(10));
        cache.close();
        cache.close();

        assertThatThrownBy(() -> cache.acquire("images/b", 10, MUST_NOT_RUN))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> cache.contains("images/a")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(cache::stats).isInstanceOf(IllegalStateException.class);
        lease.close();
        assertThat(lease.dir().resolve("data")).hasSize(10);
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("test latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void waitUntil(BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).pollInterval(1, TimeUnit.MILLISECONDS)
                .until(condition::getAsBoolean);
    }

    @Test
    void lfuAndGdsfKeepTheEntryUsedMostWhereLruWouldDropIt(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"lfu", "gdsf"}) {
            try (NodeCache cache = NodeCache.open(dir.resolve(name), 300, EvictionPolicy.parse(name))) {
                fill(cache, "images/a", 100);
                for (int i = 0; i < 3; i++) {
                    cache.acquire("images/a", 100, MUST_NOT_RUN).close();
                }
                fill(cache, "images/b", 100);
                fill(cache, "images/c", 100);
                // LRU would evict a (least recently used); these keep it and drop b.
                fill(cache, "images/d", 100);
                assertThat(cache.contains("images/a")).as(name).isTrue();
                assertThat(cache.contains("images/b")).as(name).isFalse();
                assertThat(cache.stats().evictions()).isEqualTo(1);
            }
        }
        try (NodeCache cache = NodeCache.open(dir.resolve("lru"), 300, EvictionPolicy.parse("LRU"))) {
            fill(cache, "images/a", 100);
            cache.acquire("images/a", 100, MUST_NOT_RUN).close();
            fill(cache, "images/b", 100);
            fill(cache, "images/c", 100);
            fill(cache, "images/d", 100);
            assertThat(cache.contains("images/a")).isFalse();
        }
        assertThatThrownBy(() -> EvictionPolicy.parse("mru")).hasMessageContaining("lru, lfu, gdsf");
    }
}
