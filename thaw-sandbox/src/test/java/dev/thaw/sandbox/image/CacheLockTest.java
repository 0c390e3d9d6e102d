package dev.thaw.sandbox.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheLockTest {

    @Test
    void secondThreadWaitsForTheFirst(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.lock");
        CountDownLatch acquired = new CountDownLatch(1);
        AtomicBoolean secondGotIt = new AtomicBoolean();
        Thread second;
        try (CacheLock _ = CacheLock.acquire(file)) {
            second = Thread.ofPlatform().start(() -> {
                try (CacheLock _ = CacheLock.acquire(file)) {
                    secondGotIt.set(true);
                    acquired.countDown();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(acquired.await(300, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(secondGotIt).isFalse();
        }
        assertThat(acquired.await(10, TimeUnit.SECONDS)).isTrue();
        second.join();
    }

    @Test
    void isNotReentrant(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.lock");
        try (CacheLock _ = CacheLock.acquire(file)) {
            assertThatThrownBy(() -> CacheLock.acquire(dir.resolve("./k.lock")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds");
        }
        try (CacheLock _ = CacheLock.acquire(file)) {
            assertThat(file).exists();
        }
    }
}
