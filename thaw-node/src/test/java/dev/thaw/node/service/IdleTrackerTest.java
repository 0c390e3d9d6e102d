package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/** The node's own idle reaping, on a fake clock. */
class IdleTrackerTest {
    private static final class FakeClock implements InstantSource {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @Test
    void anInstanceExpiresOnlyPastKeepAlivePlusGrace() {
        FakeClock clock = new FakeClock();
        IdleTracker idle = new IdleTracker(clock, Duration.ofSeconds(30));
        idle.started("a", Duration.ofSeconds(60));
        idle.started("b", Duration.ofSeconds(600));
        clock.advance(Duration.ofSeconds(90));
        assertThat(idle.expired()).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(idle.expired()).containsExactly("a");
        assertThat(idle.idleFor("a")).isEqualTo(Duration.ofMillis(90_001));
        idle.stopped("a");
        assertThat(idle.expired()).isEmpty();
        clock.advance(Duration.ofSeconds(600));
        assertThat(idle.expired()).containsExactly("b");
    }

    @Test
    void useRestartsTheIdleTimeAndABusyInstanceNeverExpires() {
        FakeClock clock = new FakeClock();
        IdleTracker idle = new IdleTracker(clock, Duration.ofSeconds(10));
        idle.started("a", Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(15));
        idle.begin("a");
        clock.advance(Duration.ofHours(1));
        assertThat(idle.expired()).isEmpty();
        assertThat(idle.idleFor("a")).isEqualTo(Duration.ZERO);
        idle.end("a");
        clock.advance(Duration.ofSeconds(20));
        assertThat(idle.expired()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(idle.expired()).containsExactly("a");
    }

    @Test
    void untrackedInstancesAreIgnored() {
        IdleTracker idle = new IdleTracker(new FakeClock(), Duration.ZERO);
        idle.begin("x");
        idle.end("x");
        idle.stopped("x");
        assertThat(idle.expired()).isEmpty();
        assertThat(idle.idleFor("x")).isEqualTo(Duration.ZERO);
    }
}
