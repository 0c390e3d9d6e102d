package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.node.SnapshotMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node killed mid-upload leaves packed files in its spool; the next node on that work directory removes them. */
class NodeSpoolTest {

    @Test
    void aNodeEmptiesTheSpoolItsKilledPredecessorLeft(@TempDir Path work) throws Exception {
        Path spool = Files.createDirectories(work.resolve(NodeService.SPOOL_DIR));
        Path leftover = Files.write(spool.resolve("thaw-pack-123.zst"), new byte[4096]);

        NodeServiceConfig config = NodeFixtures.config("node-s", work).withMode(SnapshotMode.DISABLED);
        try (NodeServer node = NodeFixtures.inMemoryNode(config)) {
            assertThat(leftover).doesNotExist();
            try (Stream<Path> left = Files.list(spool)) {
                assertThat(left).isEmpty();
            }
        }
    }
}
