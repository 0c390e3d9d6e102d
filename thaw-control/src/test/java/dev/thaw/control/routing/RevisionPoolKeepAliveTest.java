package dev.thaw.control.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.MachineShape;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The gateway's hybrid keep-alive on a fake clock: the marginal rule decides what stays and what is pre-warmed. */
class RevisionPoolKeepAliveTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private int instances;

    private RevisionPool pool(int memoryMib) {
        DeploymentSpec spec = new DeploymentSpec("echo", "rev1", new MachineShape(memoryMib, 1), 5_000, 5_000,
                "kernel", List.of("layer"), List.of());
        return new RevisionPool(spec, FunctionSettings.DEFAULTS, KeepAlivePolicy.HYBRID_HISTOGRAM, clock::get);
    }

    private void advance(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    /** One request that finds no instance: it starts one, which serves it and is released. */
    private Instance coldRequest(RevisionPool pool) throws Exception {
        assertThat(pool.acquire()).isInstanceOf(RevisionPool.StartSlot.class);
        Instance instance = new Instance("i-" + ++instances, null, "rev1", null);
        pool.started(instance);
        pool.release(instance);
        return instance;
    }

    /** Requests {@code idleMs} apart; one that finds its instance expired starts another. */
    private void learn(RevisionPool pool, long... idleMs) throws Exception {
        coldRequest(pool);
        for (long idle : idleMs) {
            advance(idle);
            pool.expire(clock.get());
            if (pool.instanceCount() == 0) {
                coldRequest(pool);
            } else {
                Instance warm = ((RevisionPool.Lease) pool.acquire()).instance();
                pool.release(warm);
            }
        }
    }

    @Test
    void aPeriodicFunctionIsUnloadedAtOnceAndPrewarmedJustBeforeItsPeriod() throws Exception {
        RevisionPool pool = pool(256);
        learn(pool, 300_000, 301_000, 299_000, 300_500, 300_000);
        // Back every five minutes: an instance kept idle until then costs memory for nothing.
        advance(1);
        assertThat(pool.expire(clock.get()).size()).isEqualTo(1);
        assertThat(pool.instanceCount()).isZero();
        advance(280_000);
        assertThat(pool.prewarmDue(clock.get())).isFalse();
        // The window starts at the lower edge of the bin holding 299-301 s (about 294.6 s), less the lead.
        advance(295_000 - SnapshotPrefetch.LEAD_MS - 280_000);
        assertThat(pool.prewarmDue(clock.get())).isTrue();
        Instance prewarmed = new Instance("pre", null, "rev1", null);
        assertThat(pool.prewarmed(prewarmed)).isTrue();
        // Kept unused until its window ends, whatever the keep-alive says...
        advance(40_000);
        assertThat(pool.expire(clock.get()).size()).isZero();
        // ...and it serves the request warm.
        assertThat(((RevisionPool.Lease) pool.acquire()).instance()).isSameAs(prewarmed);
    }

    @Test
    void aRareLargeFunctionIsUnloadedAtOnceAndNotPrewarmed() throws Exception {
        RevisionPool pool = pool(4096);
        learn(pool, 900_000, 3_600_000, 2_400_000, 7_000_000, 1_200_000);
        advance(1);
        assertThat(pool.expire(clock.get()).size()).isEqualTo(1);
        for (int i = 0; i < 200; i++) {
            advance(60_000);
            assertThat(pool.prewarmDue(clock.get())).isFalse();
        }
    }

    @Test
    void aFunctionThatComesBackTooSoonToPrewarmStaysAtLeastItsKeepAlive() throws Exception {
        RevisionPool pool = pool(256);
        learn(pool, 8_000, 8_000, 8_000, 8_000, 8_000);
        assertThat(pool.instanceCount()).isEqualTo(1);
        advance(59_000);
        assertThat(pool.expire(clock.get()).size()).isZero();
        // No idle time beyond 8 s: nothing is gained past the bin holding the fixed keep-alive.
        advance(20_000);
        assertThat(pool.expire(clock.get()).size()).isEqualTo(1);
        assertThat(pool.prewarmDue(clock.get())).isFalse();
    }

    @Test
    void theSameIdleTimesKeepASmallFunctionAndUnloadALargeOne() throws Exception {
        // Back within 2-9 s: too soon to unload and pre-warm again.
        long[] idle = {2_000, 5_000, 8_000, 3_000, 6_500, 9_000, 4_000, 7_000};
        RevisionPool small = pool(128);
        learn(small, idle);
        advance(59_000);
        assertThat(small.expire(clock.get()).size()).isZero();
        RevisionPool large = pool(16_384);
        learn(large, idle);
        advance(1);
        assertThat(large.expire(clock.get()).size()).isEqualTo(1);
    }
}
