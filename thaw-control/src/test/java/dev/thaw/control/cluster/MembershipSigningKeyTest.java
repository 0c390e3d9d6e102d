package dev.thaw.control.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/** Nodes the gateway registers itself (Kubernetes discovery) make their signing key known in their status. */
class MembershipSigningKeyTest {
    private static NodeStatus status(String signingKey) {
        return new NodeStatus("n1", "http://127.0.0.1:1/", "local", 4096, 4096, 4, 4, List.of(), null, List.of(),
                null, Instant.now(), null, null, signingKey);
    }

    @Test
    void aKeyReportedInTheStatusIsLearnedOnceAndNeverReplaced() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Membership membership = new Membership(Duration.ofMinutes(1), timer)) {
            Member member = membership.register(new RegisterRequest("n1", "http://127.0.0.1:1/"), "call-token");
            member.markDeployed("hello", "r1");
            assertThat(membership.signers("hello", "r1")).isEmpty();

            assertThatThrownBy(() -> membership.heartbeat("n1", status("not a key")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid signing key");
            assertThat(member.signingKey()).isNull();

            String first = NodeKey.generate("n1").publicKeyText();
            assertThat(membership.heartbeat("n1", status(first))).isTrue();
            assertThat(membership.signers("hello", "r1")).containsEntry("n1", first);

            String stranger = NodeKey.generate("n1").publicKeyText();
            membership.heartbeat("n1", status(stranger));
            assertThat(membership.signers("hello", "r1")).containsEntry("n1", first);
        } finally {
            timer.shutdownNow();
        }
    }
}
