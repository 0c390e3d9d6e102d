package dev.thaw.wire.v1.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatusPresenceTest {
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");

    private static NodeStatus status(List<CachedEntry> cached, List<PresentRevision> present) {
        return new NodeStatus("n1", "http://127.0.0.1:8081", "local", 4096, 4096, 8, 8, List.of(), null, cached,
                null, AT, null, null, null, present);
    }

    @Test
    void presenceGivesTheShareOfEachRevisionAndOnlyAWholeOneIsCached() {
        NodeStatus status = status(List.of(new CachedEntry("snapshots/echo/r1", 100, AT, 0)), List.of(
                new PresentRevision("echo", "r1", 100, 100), new PresentRevision("echo", "r2", 90, 100),
                new PresentRevision("other", "r1", 1, 10)));

        assertThat(status.presentFraction("echo", "r1")).isEqualTo(1.0);
        assertThat(status.presentFraction("echo", "r2")).isEqualTo(0.9);
        assertThat(status.presentFraction("other", "r1")).isEqualTo(0.1);
        assertThat(status.presentFraction("echo", "r3")).isZero();
        assertThat(status.caches("echo", "r1")).isTrue();
        assertThat(status.caches("echo", "r2")).isFalse();
    }

    @Test
    void aStatusFromANodeThatDoesNotReportPresenceReadsAsAllOrNothingFromItsCacheEntries() throws Exception {
        NodeStatus now = status(List.of(new CachedEntry("snapshots/echo/r1", 100, AT, 0),
                new CachedEntry("images/abc", 5, AT, 0)), List.of(new PresentRevision("echo", "r1", 100, 100)));
        ObjectNode json = Json.mapper().valueToTree(now);
        json.remove("present"); // what an older node sends

        NodeStatus old = Json.mapper().treeToValue(json, NodeStatus.class);

        assertThat(old.present()).isNull();
        assertThat(old.presentFraction("echo", "r1")).isEqualTo(1.0);
        assertThat(old.caches("echo", "r1")).isTrue();
        assertThat(old.presentFraction("echo", "r2")).isZero();
        assertThat(old.presentFraction("images", "abc")).isZero();
    }

    @Test
    void aNearlyWholeSnapshotIsNotWhole() {
        PresentRevision nearly = new PresentRevision("f", "r", Long.MAX_VALUE - 1, Long.MAX_VALUE);
        assertThat(nearly.fraction()).isLessThan(1.0).isGreaterThan(0.99);
        assertThat(new PresentRevision("f", "r", 0, 1).fraction()).isZero();
    }

    @Test
    void impossibleByteCountsAreRefusedWithTheRevisionNamed() {
        for (String bad : List.of("{\"function\":\"f\",\"revision\":\"r\",\"presentBytes\":11,\"totalBytes\":10}",
                "{\"function\":\"f\",\"revision\":\"r\",\"presentBytes\":-1,\"totalBytes\":10}",
                "{\"function\":\"f\",\"revision\":\"r\",\"presentBytes\":0,\"totalBytes\":0}")) {
            assertThatThrownBy(() -> Json.read(bad, PresentRevision.class)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("f/r").hasMessageContaining("presentBytes");
        }
        assertThatThrownBy(() -> Json.read("{\"revision\":\"r\",\"presentBytes\":1,\"totalBytes\":10}",
                PresentRevision.class)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("function");
    }
}
