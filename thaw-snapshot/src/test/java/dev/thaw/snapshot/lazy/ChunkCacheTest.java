package dev.thaw.snapshot.lazy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.snapshot.store.StoreException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkCacheTest {
    @TempDir
    Path tmp;

    private final ExecutorService fetchers = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        fetchers.shutdownNow();
    }

    private static String digest(byte[] bytes) {
        return FileDigests.sha256Hex(ByteBuffer.wrap(bytes));
    }

    @Test
    void concurrentMissesOfOneChunkMakeOneFetch() throws Exception {
        byte[] bytes = new byte[4096];
        Arrays.fill(bytes, (byte) 7);
        String digest = digest(bytes);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fetches = new AtomicInteger();
        try (ChunkCache cache = ChunkCache.open(tmp, 1 << 20, fetchers, Duration.ofSeconds(10))) {
            ExecutorService readers = Executors.newFixedThreadPool(2);
            try {
                Future<?> a = readers.submit(() -> pinWhenReleased(cache, digest, bytes, release, fetches));
                Future<?> b = readers.submit(() -> pinWhenReleased(cache, digest, bytes, release, fetches));
                // Both readers are waiting on the one fill once it has been asked for.
                while (cache.counters().misses() + cache.counters().hits() < 1) {
                    Thread.onSpinWait();
                }
                release.countDown();
                a.get(10, TimeUnit.SECONDS);
                b.get(10, TimeUnit.SECONDS);
            } finally {
                readers.shutdownNow();
            }
            assertThat(fetches.get()).isEqualTo(1);
            assertThat(cache.counters().misses()).isEqualTo(1);
            ByteBuffer back = ByteBuffer.allocate(4096);
            assertThat(cache.read(digest, 0, back)).isEqualTo(4096);
            assertThat(back.array()).isEqualTo(bytes);
            assertThat(Files.readAllBytes(tmp.resolve("data").resolve(digest))).isEqualTo(bytes);
        }
    }

    private static Void pinWhenReleased(ChunkCache cache, String digest, byte[] bytes, CountDownLatch release,
            AtomicInteger fetches) throws Exception {
        cache.pin(digest, bytes.length, fetched -> {
            fetches.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new StoreException("interrupted");
            }
            return bytes.clone();
        });
        cache.unpin(digest);
        return null;
    }

    @Test
    void aFetchThatDoesNotFinishInTimeFailsTheReadInsteadOfHanging() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (ChunkCache cache = ChunkCache.open(tmp, 1 << 20, fetchers, Duration.ofMillis(200))) {
            assertThatThrownBy(() -> cache.pin("a".repeat(64), 4096, fetched -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new StoreException("interrupted");
                }
                return new byte[4096];
            })).isInstanceOf(StoreException.class).hasMessageContaining("not fetched within 200 ms");
            assertThat(cache.contains("a".repeat(64))).isFalse();
        }
    }

    @Test
    void aFetchOfTheWrongLengthIsRefusedAndCounted() throws Exception {
        try (ChunkCache cache = ChunkCache.open(tmp, 1 << 20, fetchers, Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> cache.pin("b".repeat(64), 4096, fetched -> new byte[100]))
                    .isInstanceOf(StoreException.class).hasMessageContaining("expected 4096");
            assertThat(cache.counters().verifyFailures()).isEqualTo(1);
            assertThat(cache.contains("b".repeat(64))).isFalse();
        }
    }
}
