package dev.thaw.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.snapshot.cache.Lease;
import dev.thaw.snapshot.cache.NodeCache;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presence from today's cache of whole snapshots, following a real cache on disk. */
class CachedSnapshotPresenceTest {

    /** The entry's size as the cache counts it. */
    private static long fill(NodeCache cache, String key, int bytes) throws Exception {
        try (Lease lease = cache.acquire(key, bytes, dir -> {
            Files.write(dir.resolve("memory"), new byte[bytes]);
            return 0;
        })) {
            return lease.bytes();
        }
    }

    @Test
    void aCachedSnapshotIsWhollyPresentAndAnyOtherRevisionAbsent(@TempDir Path dir) throws Exception {
        try (NodeCache cache = NodeCache.open(dir.resolve("cache"), 1 << 20)) {
            long r1 = fill(cache, "snapshots/hello/r1", 4096);
            CachedSnapshotPresence presence = CachedSnapshotPresence.following(cache); // replays what is cached
            long r2 = fill(cache, "snapshots/hello/r2", 8192);
            fill(cache, "images/abc", 100);

            assertThat(presence.presentBytes("hello", "r1")).isEqualTo(r1).isPositive().isEqualTo(presence.totalBytes("hello",
                    "r1"));
            assertThat(presence.presentBytes("hello", "r2")).isEqualTo(r2).isPositive().isEqualTo(presence.totalBytes("hello",
                    "r2"));
            assertThat(presence.presentBytes("hello", "r3")).isZero();
            assertThat(presence.totalBytes("hello", "r3")).isZero();
            assertThat(presence.presentBytes("images", "abc")).isZero();

            cache.remove("snapshots/hello/r1");
            assertThat(presence.presentBytes("hello", "r1")).isZero();
            assertThat(presence.totalBytes("hello", "r1")).isZero();

            // An entry whose event has not reached the listener yet is still counted, with its listed size.
            long r4 = fill(cache, "snapshots/hello/r4", 2048);
            presence.accept(new dev.thaw.snapshot.cache.CacheEvent(dev.thaw.snapshot.cache.CacheEvent.Kind.REMOVED,
                    "snapshots/hello/r4", r4)); // as if its ADDED were still on its way
            assertThat(presence.presentBytes("hello", "r4")).isEqualTo(r4);
        }
    }

    @Test
    void theRuntimeOfANodeWithoutACacheHoldsNothing() {
        assertThat(RevisionPresence.NONE.presentBytes("hello", "r1")).isZero();
        assertThat(RevisionPresence.NONE.totalBytes("hello", "r1")).isZero();
    }
}
