package dev.thaw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PresentRevision;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientCommandsTest {
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

    private static NodeStatus status(List<PresentRevision> present) {
        return new NodeStatus("n1", "http://127.0.0.1:8081", "local", 4096, 4096, 8, 8, List.of(), null,
                List.of(new CachedEntry("snapshots/hello/1", 1 << 20, AT, 0)), null, AT, null, null, null, present);
    }

    @Test
    void statusListsTheRevisionsANodeHoldsPartOfWithTheirShare() {
        List<String> lines = ClientCommands.partlyPresent(status(List.of(
                new PresentRevision("hello", "1", 1 << 20, 1 << 20),
                new PresentRevision("hello", "2", 9L << 20, 10L << 20),
                new PresentRevision("world", "7", 999, 1000))));
        // The whole snapshot is already listed as a cached entry; a share just short of whole is not rounded up.
        assertThat(lines).containsExactly(
                String.format("  part   %-60s  90.0 %% of 10.0 MiB", "hello/2"),
                String.format("  part   %-60s  99.9 %% of 0.0 MiB", "world/7"));
        assertThat(ClientCommands.partlyPresent(status(null))).isEmpty();
    }
}
