package dev.thaw.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.testkit.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** Heartbeat expiry on a clock the test moves: no waiting, and no margin for a busy machine to eat. */
class MembershipLivenessTest {
    private static NodeStatus status(String node) {
        return new NodeStatus(node, "http://127.0.0.1:1/", "local", 4096, 4096, 4, 4, List.of(), null, List.of(),
                null, Instant.now());
    }

    @Test
    void aNodeSilentPastTheTimeoutGetsNoNewStartsAndIsDeclaredDeadAtThreeTimesIt() {
        FakeClock clock = new FakeClock();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        List<String> deaths = new CopyOnWriteArrayList<>();
        try (Membership membership = new Membership(Duration.ofSeconds(2), timer, clock)) {
            membership.addListener(new Membership.Listener() {
                @Override
                public void died(Member member, String reason) {
                    deaths.add(member.name() + ": " + reason);
                }
            });
            Member quiet = membership.register(new RegisterRequest("quiet", "http://127.0.0.1:1/"), "t1");
            Member beating = membership.register(new RegisterRequest("beating", "http://127.0.0.1:2/"), "t2");

            clock.advanceMillis(1_500);
            assertThat(membership.heartbeat("beating", status("beating"))).isTrue();
            membership.checkLiveness();
            assertThat(membership.schedulable()).containsExactlyInAnyOrder(quiet, beating);

            clock.advanceMillis(501); // quiet: 2001 ms without a heartbeat; beating: 501 ms
            membership.checkLiveness();
            assertThat(membership.schedulable()).containsExactly(beating);
            assertThat(membership.alive()).containsExactlyInAnyOrder(quiet, beating);
            assertThat(deaths).isEmpty();

            clock.advanceMillis(3_999); // quiet: 6000 ms, three times the timeout and not past it
            assertThat(membership.heartbeat("beating", status("beating"))).isTrue();
            membership.checkLiveness();
            assertThat(membership.alive()).containsExactlyInAnyOrder(quiet, beating);

            clock.advanceMillis(1); // quiet: 6001 ms
            membership.checkLiveness();
            assertThat(membership.alive()).containsExactly(beating);
            assertThat(deaths).containsExactly("quiet: no heartbeat for 6001 ms (limit 6000 ms)");
            assertThat(beating.lastHeartbeat()).isEqualTo(FakeClock.START.plusMillis(6_000));

            // A dead node's heartbeat is refused: it must register again.
            assertThat(membership.heartbeat("quiet", status("quiet"))).isFalse();
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aLateNodeThatReportsAgainIsSchedulableAgain() {
        FakeClock clock = new FakeClock();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Membership membership = new Membership(Duration.ofSeconds(2), timer, clock)) {
            Member late = membership.register(new RegisterRequest("late", "http://127.0.0.1:1/"), "t1");
            clock.advanceMillis(3_000);
            membership.checkLiveness();
            assertThat(membership.schedulable()).isEmpty();
            assertThat(late.alive()).isTrue();

            assertThat(membership.heartbeat("late", status("late"))).isTrue();
            assertThat(membership.schedulable()).containsExactly(late);
            clock.advanceMillis(2_000);
            membership.checkLiveness();
            assertThat(membership.schedulable()).containsExactly(late);
        } finally {
            timer.shutdownNow();
        }
    }
}
