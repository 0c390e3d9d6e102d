package dev.thaw.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CachePolicyTest {
    private static final long MIB = 1 << 20;

    @Test
    void lruEvictsTheLeastRecentlyUsed() {
        CachePolicy lru = Policies.cache("lru", 4, 2 * MIB, null);
        lru.record(0, MIB, 1);
        lru.record(1, MIB, 1);
        lru.record(0, MIB, 1);
        lru.record(2, MIB, 1);
        assertThat(lru.contains(0)).isTrue();
        assertThat(lru.contains(1)).isFalse();
        assertThat(lru.stats().hits()).isEqualTo(1);
        assertThat(lru.stats().evictions()).isEqualTo(1);
        assertThat(lru.usedBytes()).isEqualTo(2 * MIB);
    }

    @Test
    void lfuAndGdsfKeepTheFrequentOne() {
        for (String name : new String[] {"lfu", "gdsf"}) {
            CachePolicy cache = Policies.cache(name, 4, 2 * MIB, null);
            for (int i = 0; i < 5; i++) {
                cache.record(0, MIB, 10);
            }
            cache.record(1, MIB, 10);
            cache.record(2, MIB, 10);
            assertThat(cache.contains(0)).as(name).isTrue();
        }
    }

    @Test
    void gdsfPrefersWhatIsCostlyToFetchForItsSize() {
        CachePolicy gdsf = Policies.cache("gdsf", 4, 3 * MIB, null);
        gdsf.record(0, 2 * MIB, 10);
        gdsf.record(1, MIB, 100);
        gdsf.record(2, MIB, 10);
        // Key 0 (cheap per byte) goes first.
        assertThat(gdsf.contains(0)).isFalse();
        assertThat(gdsf.contains(1)).isTrue();
    }

    @Test
    void tinyLfuDoesNotLetAOneHitWonderDisplaceAFrequentEntry() {
        CachePolicy cache = Policies.cache("w-tinylfu", 100, 2 * MIB, null);
        for (int i = 0; i < 3; i++) {
            cache.record(0, MIB, 1);
            cache.record(1, MIB, 1);
        }
        cache.record(5, MIB, 1);
        assertThat(cache.contains(0)).isTrue();
        assertThat(cache.contains(1)).isTrue();
        assertThat(cache.contains(5)).isFalse();
    }

    @Test
    void beladyEvictsWhatIsUsedLast() {
        int[] sequence = {0, 1, 2, 0, 1, 0, 2};
        CachePolicy belady = Policies.cache("belady", 3, 2 * MIB, sequence);
        CachePolicy lru = Policies.cache("lru", 3, 2 * MIB, null);
        for (int key : sequence) {
            belady.record(key, MIB, 1);
            lru.record(key, MIB, 1);
        }
        // Belady: miss 0, 1, 2 (not admitted: used after 0 and 1), hit 0, 1, 0, miss 2.
        assertThat(belady.stats().hits()).isEqualTo(3);
        assertThat(lru.stats().hits()).isLessThan(belady.stats().hits());
    }

    @Test
    void prefetchBringsAnEntryInWithoutCountingAnAccess() {
        CachePolicy lru = Policies.cache("lru", 2, 2 * MIB, null);
        assertThat(lru.prefetch(1, MIB, 1)).isTrue();
        assertThat(lru.stats().hits() + lru.stats().misses()).isZero();
        assertThat(lru.record(1, MIB, 1)).isTrue();
        assertThat(lru.prefetch(0, 3 * MIB, 1)).isFalse();
    }
}
