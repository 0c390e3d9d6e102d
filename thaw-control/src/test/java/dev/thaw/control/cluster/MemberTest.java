package dev.thaw.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.testkit.FakeClock;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberTest {
    private static NodeStatus report() {
        return new NodeStatus("n1", "http://127.0.0.1:1/", "local", 4096, 4096, 4, 4, List.of(), null, List.of(),
                null, Instant.now());
    }

    @Test
    void startsCountAgainstCapacityUntilAReportCanShowThem() throws Exception {
        FakeClock clock = new FakeClock();
        Member member = new Member("n1", URI.create("http://127.0.0.1:1/"), "token", null,
                dev.thaw.http.ClientOptions.of(java.time.Duration.ofSeconds(2)), clock);
        try {
            AutoCloseable first = member.reserve(256);
            AutoCloseable second = member.reserve(512);
            assertThat(member.reserved()).containsExactly(2, 768);

            first.close();
            member.heartbeat(report()); // arrives right after the start finished: may predate the instance
            assertThat(member.reserved()).containsExactly(2, 768);

            clock.advanceMillis(150);
            member.heartbeat(report()); // well after: the node's report counts it now
            assertThat(member.reserved()).containsExactly(1, 512);

            second.close();
        } finally {
            member.close();
        }
    }

    @Test
    void aNodeHoldsPartOfARevisionWhenItReportsSomeOfItOrWasSentAStartOfItLately() throws Exception {
        FakeClock clock = new FakeClock();
        Member member = new Member("n1", URI.create("http://127.0.0.1:1/"), "token", null,
                dev.thaw.http.ClientOptions.of(java.time.Duration.ofSeconds(2)), clock);
        try {
            assertThat(member.holdsPart("f", "r1")).isFalse();

            member.noteStarting("f", "r1"); // a burst's start is under way: what it read, it serves
            assertThat(member.holdsPart("f", "r1")).isTrue();
            assertThat(member.holdsSnapshot("f", "r1")).isFalse();
            clock.advance(java.time.Duration.ofMinutes(2));
            assertThat(member.holdsPart("f", "r1")).isFalse();

            member.heartbeat(new NodeStatus("n1", "http://127.0.0.1:1/", "local", 4096, 4096, 4, 4, List.of(), null,
                    List.of(), null, Instant.now(), null, null, null,
                    List.of(new dev.thaw.wire.v1.node.PresentRevision("f", "r2", 30, 100))));
            assertThat(member.holdsPart("f", "r2")).isTrue();
            assertThat(member.holdsSnapshot("f", "r2")).isFalse();
            assertThat(member.holdsPart("f", "r3")).isFalse();
        } finally {
            member.close();
        }
    }
}
