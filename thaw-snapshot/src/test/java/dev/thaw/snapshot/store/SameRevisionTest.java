package dev.thaw.snapshot.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.NodeKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function published with the revision of another function of its namespace stores only a manifest
 * naming the other's chunks, through a real S3 server; never across namespaces, never another
 * node's snapshot, never one whose chunks are gone. Each snapshot has bytes of its own (another
 * seed), so a fetch tells whose chunks a manifest names.
 */
class SameRevisionTest {
    private static final NodeKey KEY = NodeKey.generate("node-1");

    @TempDir
    Path tmp;

    private TestS3 s3;
    private S3ObjectStore objects;
    private SnapshotStore store;

    @BeforeEach
    void start() throws Exception {
        s3 = TestS3.start();
        objects = s3.newStore();
        store = new SnapshotStore(objects, KEY);
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
    }

    @Test
    void aCopyInTheSameNamespaceStoresOnlyAManifestNamingTheFirstsChunks() throws Exception {
        SnapshotInfo first = publish("team.hello", 1);
        Set<String> chunks = Set.copyOf(objects.list(ChunkTransfer.CHUNKS));

        SnapshotInfo copy = Bundles.sparseSnapshot(tmp.resolve("team.hello-b"), "team.hello-b", "r1", 8, 2);
        PublishReport report = store.publishSnapshot(tmp.resolve("team.hello-b"), copy);

        assertThat(objects.list(ChunkTransfer.CHUNKS)).containsExactlyInAnyOrderElementsOf(chunks);
        assertThat(report.dataBytes()).isZero();
        assertThat(report.storedBytes()).isEqualTo(objects.size("snapshots/team.hello-b/r1/info.json").orElseThrow()
                + objects.size("snapshots/team.hello-b/r1/info.sig").orElseThrow());
        SnapshotInfo stored = store.findSnapshot("team.hello-b", "r1").orElseThrow();
        assertThat(stored.function()).isEqualTo("team.hello-b");
        assertThat(stored.files()).isEqualTo(first.files());
        Path fetched = tmp.resolve("fetched");
        store.fetchSnapshot(stored, fetched);
        assertThat(Files.mismatch(tmp.resolve("team.hello").resolve("mem"), fetched.resolve("mem"))).isEqualTo(-1L);
        // Both manifests hold the chunks: deleting the first keeps them for the copy.
        store.deleteSnapshot("team.hello", "r1");
        assertThat(objects.list(ChunkTransfer.CHUNKS)).containsExactlyInAnyOrderElementsOf(chunks);
        assertThat(objects.list(SameRevision.PREFIX)).isEmpty();
    }

    @Test
    void theSameRevisionInAnotherNamespaceStoresItsOwnChunks() throws Exception {
        publish("team-a.hello", 1);
        SnapshotInfo other = publish("team-b.hello", 2);

        assertThat(store.findSnapshot("team-b.hello", "r1").orElseThrow().files()).isEqualTo(other.files());
        assertThat(objects.list(SameRevision.PREFIX)).containsExactlyInAnyOrder("revisions/team-a/r1", "revisions/team-b/r1");
    }

    @Test
    void anIndexEntryNamingAnotherNamespaceOrTooLongIsIgnored() throws Exception {
        publish("team-a.hello", 1);
        objects.put("revisions/team-b/r1", "team-a.hello".getBytes(UTF_8));
        SnapshotInfo own = publish("team-b.hello", 2);
        assertThat(store.findSnapshot("team-b.hello", "r1").orElseThrow().files()).isEqualTo(own.files());

        objects.put("revisions/team-b/r2", ("team-b.hello" + " ".repeat(SameRevision.MAX_ENTRY_BYTES)).getBytes(UTF_8));
        SnapshotInfo second = Bundles.sparseSnapshot(tmp.resolve("team-b.x"), "team-b.x", "r2", 8, 3);
        store.publishSnapshot(tmp.resolve("team-b.x"), second);
        assertThat(store.findSnapshot("team-b.x", "r2").orElseThrow().files()).isEqualTo(second.files());
    }

    @Test
    void anotherNodesSnapshotIsNotReSigned() throws Exception {
        SnapshotStore otherNode = new SnapshotStore(objects, NodeKey.generate("node-2"));
        SnapshotInfo theirs = Bundles.sparseSnapshot(tmp.resolve("hello"), "hello", "r1", 8, 1);
        otherNode.publishSnapshot(tmp.resolve("hello"), theirs);

        SnapshotInfo own = publish("hello-b", 2);

        assertThat(store.findSnapshot("hello-b", "r1").orElseThrow().files()).isEqualTo(own.files());
    }

    @Test
    void aTwinWithAMissingChunkIsNotReused() throws Exception {
        SnapshotInfo first = publish("hello", 1);
        objects.delete(ChunkTransfer.key(first.files().get("mem").chunks().stream()
                .filter(c -> !c.equals(first.files().get("mem").chunks().getLast())).findFirst().orElseThrow()));

        SnapshotInfo own = publish("hello-b", 2);

        assertThat(store.findSnapshot("hello-b", "r1").orElseThrow().files()).isEqualTo(own.files());
    }

    @Test
    void aDifferentMachineIsNeverATwin() throws Exception {
        SnapshotInfo first = Bundles.info("hello", "r1", java.util.Map.of());
        SnapshotInfo otherQemu = new SnapshotInfo(first.formatVersion(), "hello-b", "r1", first.driver(), "8.0.0",
                first.shape(), first.kernelDigest(), first.imageDigests(), first.files(), first.createdAt(),
                first.node(), first.initMs());
        assertThat(SameRevision.alike(first, first)).isTrue();
        assertThat(SameRevision.alike(first, otherQemu)).isFalse();
    }

    private SnapshotInfo publish(String function, long seed) throws Exception {
        SnapshotInfo info = Bundles.sparseSnapshot(tmp.resolve(function), function, "r1", 8, seed);
        store.publishSnapshot(tmp.resolve(function), info);
        return info;
    }
}
