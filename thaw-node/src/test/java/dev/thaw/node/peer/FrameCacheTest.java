package dev.thaw.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameCacheTest {
    @Test
    void keepsFramesWithinItsBoundLeastRecentlyUsedOutFirst() {
        FrameCache cache = new FrameCache(10);
        cache.put("a", new byte[4]);
        cache.put("b", new byte[4]);
        assertThat(cache.get("a")).isPresent(); // "b" is now the least recently used
        cache.put("c", new byte[4]);

        assertThat(cache.get("b")).isEmpty();
        assertThat(cache.get("a")).isPresent();
        assertThat(cache.get("c")).isPresent();
        assertThat(cache.bytes()).isEqualTo(8);
        assertThat(cache.hits()).isEqualTo(3);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void aFrameLargerThanTheBoundIsNotKept() {
        FrameCache cache = new FrameCache(10);
        cache.put("big", new byte[11]);
        assertThat(cache.get("big")).isEmpty();
        assertThat(cache.bytes()).isZero();
    }
}
