package dev.thaw.snapshot.store;

import static dev.thaw.snapshot.store.Bundles.MIB;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content-addressed chunks through a real S3 server over HTTP, one fresh server per test. */
class ChunkStoreTest {
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
    void aSecondFunctionWithTheSameBytesUploadsNoChunkAndBothRoundTrip() throws Exception {
        SnapshotInfo first = Bundles.sparseSnapshot(tmp.resolve("a"), "hello", "r1", 16, 7);
        SnapshotInfo copy = Bundles.sparseSnapshot(tmp.resolve("b"), "hello-b", "r1", 16, 7);

        PublishReport one = store.publishSnapshot(tmp.resolve("a"), first);
        Set<String> afterFirst = Set.copyOf(objects.list(ChunkTransfer.CHUNKS));
        PublishReport two = store.publishSnapshot(tmp.resolve("b"), copy);

        assertThat(afterFirst).hasSize(6);
        assertThat(objects.list(ChunkTransfer.CHUNKS)).containsExactlyInAnyOrderElementsOf(afterFirst);
        assertThat(one.storedBytes()).isGreaterThan(3L * MIB);
        // Only the manifest and its signature: no chunk.
        long metadata = objects.size("snapshots/hello-b/r1/info.json").orElseThrow()
                + objects.size("snapshots/hello-b/r1/info.sig").orElseThrow();
        assertThat(two.storedBytes()).isEqualTo(metadata).isLessThan(one.storedBytes() / 100);
        for (String function : List.of("hello", "hello-b")) {
            Path target = tmp.resolve("fetched-" + function);
            FetchReport fetched = store.fetchSnapshot(store.findSnapshot(function, "r1").orElseThrow(), target);
            assertSame(tmp.resolve("a"), target, first);
            assertThat(fetched.fetchedBytes()).isGreaterThan(3L * MIB).isLessThan(one.storedBytes());
        }
        assertThat(store.storedBytes(first)).isEqualTo(one.storedBytes());
    }

    @Test
    void aTamperedChunkFailsTheFetchNamingItAndIsRepublished() throws Exception {
        SnapshotInfo info = Bundles.sparseSnapshot(tmp.resolve("a"), "tamper", "r1", 8, 3);
        store.publishSnapshot(tmp.resolve("a"), info);
        String digest = info.files().get("mem").chunks().get(1);
        // A valid zstd frame of other bytes of the right length: only the digest can catch it.
        byte[] other = new byte[MIB];
        other[5] = 1;
        objects.put(ChunkTransfer.key(digest), com.github.luben.zstd.Zstd.compress(other));

        Path target = tmp.resolve("target");
        assertThatThrownBy(() -> store.fetchSnapshot(info, target))
                .isInstanceOf(CorruptBundleException.class)
                .hasMessageContaining("chunk 1 of mem of snapshots/tamper/r1/")
                .hasMessageContaining("does not match its SHA-256");
        assertThat(listDir(target)).isEmpty();

        // The bad object is gone, so publishing again stores the chunk and the fetch then works.
        assertThat(objects.size(ChunkTransfer.key(digest))).isEmpty();
        store.publishSnapshot(tmp.resolve("a"), info);
        store.fetchSnapshot(info, target);
        assertSame(tmp.resolve("a"), target, info);
    }

    @Test
    void aTruncatedOrGarbledChunkIsCorrupt() throws Exception {
        SnapshotInfo info = Bundles.sparseSnapshot(tmp.resolve("a"), "garbled", "r1", 8, 4);
        store.publishSnapshot(tmp.resolve("a"), info);
        String key = ChunkTransfer.key(info.files().get("vmstate").chunks().getFirst());
        byte[] frame = objects.get(key);
        objects.put(key, Arrays.copyOf(frame, frame.length - 10));
        assertThatThrownBy(() -> store.fetchSnapshot(info, tmp.resolve("t1")))
                .isInstanceOf(CorruptBundleException.class)
                .hasMessageContaining("chunk 0 of vmstate of snapshots/garbled/r1/");

        Arrays.fill(frame, 0, 8, (byte) 0x55);
        objects.put(key, frame);
        assertThatThrownBy(() -> store.fetchSnapshot(info, tmp.resolve("t2")))
                .isInstanceOf(CorruptBundleException.class)
                .hasMessageContaining("not a valid zstd frame");
        assertThat(listDir(tmp.resolve("t1"))).isEmpty();
        assertThat(listDir(tmp.resolve("t2"))).isEmpty();
    }

    @Test
    void aMissingChunkFailsTheFetchNamingIt() throws Exception {
        SnapshotInfo info = Bundles.sparseSnapshot(tmp.resolve("a"), "holey", "r1", 8, 5);
        store.publishSnapshot(tmp.resolve("a"), info);
        String digest = info.files().get("mem").chunks().getLast();
        objects.delete(ChunkTransfer.key(digest));

        assertThatThrownBy(() -> store.fetchSnapshot(info, tmp.resolve("target")))
                .isInstanceOf(CorruptBundleException.class)
                .hasMessageContaining("chunk 7 of mem of snapshots/holey/r1/")
                .hasMessageContaining("is missing from");
        assertThat(listDir(tmp.resolve("target"))).isEmpty();
    }

    @Test
    void aManifestFromAFutureOrTheOldFormatIsRefusedByVersion() throws Exception {
        SnapshotInfo info = Bundles.sparseSnapshot(tmp.resolve("a"), "versions", "r1", 4, 6);
        store.publishSnapshot(tmp.resolve("a"), info);
        String key = "snapshots/versions/r1/info.json";
        String json = new String(objects.get(key), UTF_8);

        putSigned(key, json.replace("\"formatVersion\" : 2", "\"formatVersion\" : 3").getBytes(UTF_8));
        assertThatThrownBy(() -> store.findSnapshot("versions", "r1"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("snapshot format version 3 found; this Thaw reads format version 2 only");
        // Until it is understood, no chunk is collected.
        assertThat(store.collectChunks().skipped()).hasValueSatisfying(why -> assertThat(why).contains("version 3"));

        putSigned(key, json.replace("\"formatVersion\" : 2", "\"formatVersion\" : 1").getBytes(UTF_8));
        assertThatThrownBy(() -> store.findSnapshot("versions", "r1"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("snapshot format version 1 found (packed files per snapshot)");
    }

    @Test
    void collectionKeepsSharedChunksAndRemovesTheRest() throws Exception {
        // "shared" and "shared-copy" hold the same bytes; "alone" its own.
        SnapshotInfo shared = Bundles.sparseSnapshot(tmp.resolve("a"), "shared", "r1", 8, 11);
        SnapshotInfo copy = Bundles.sparseSnapshot(tmp.resolve("b"), "shared-copy", "r1", 8, 11);
        SnapshotInfo alone = Bundles.sparseSnapshot(tmp.resolve("c"), "alone", "r2", 8, 12);
        store.publishSnapshot(tmp.resolve("a"), shared);
        store.publishSnapshot(tmp.resolve("b"), copy);
        store.publishSnapshot(tmp.resolve("c"), alone);
        Set<String> sharedChunks = chunkKeys(shared);
        Set<String> aloneChunks = chunkKeys(alone);
        assertThat(objects.list(ChunkTransfer.CHUNKS)).hasSize(sharedChunks.size() + aloneChunks.size());

        store.deleteFunction("shared");
        assertThat(objects.list(ChunkTransfer.CHUNKS)).containsAll(sharedChunks).containsAll(aloneChunks);
        store.fetchSnapshot(store.findSnapshot("shared-copy", "r1").orElseThrow(), tmp.resolve("copy"));
        assertSame(tmp.resolve("a"), tmp.resolve("copy"), shared);

        store.deleteSnapshot("alone", "r2");
        assertThat(objects.list(ChunkTransfer.CHUNKS)).containsExactlyInAnyOrderElementsOf(sharedChunks);

        store.deleteFunction("shared-copy");
        assertThat(objects.list(ChunkTransfer.CHUNKS)).isEmpty();
        assertThat(objects.list("")).isEmpty();
    }

    @Test
    void collectionWaitsOutAPublishInFlightAndAPublisherWaitsOutACollection() throws Exception {
        SnapshotInfo info = Bundles.sparseSnapshot(tmp.resolve("a"), "kept", "r1", 4, 13);
        store.publishSnapshot(tmp.resolve("a"), info);
        objects.delete("snapshots/kept/r1/info.json"); // its chunks are now unused
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        ChunkCollector collector = new ChunkCollector(objects, InstantSource.fixed(now));

        // A publisher holds a claim: its manifest may name these chunks any moment, so nothing goes.
        objects.put("snapshots/other/r1/" + BundleTransfer.CLAIM, now.minusSeconds(5).toString().getBytes(UTF_8));
        ChunkCollector.Report report = collector.collect();
        assertThat(report.skipped()).hasValueSatisfying(why -> assertThat(why).contains("being published"));
        assertThat(objects.list(ChunkTransfer.CHUNKS)).hasSize(chunkKeys(info).size());
        assertThat(objects.size(ChunkCollector.LOCK)).isEmpty();

        // A claim left by a publisher that died long ago does not hold collection back.
        objects.put("snapshots/other/r1/" + BundleTransfer.CLAIM,
                now.minus(BundleTransfer.STALE_CLAIM).minusSeconds(1).toString().getBytes(UTF_8));
        assertThat(collector.collect().deleted()).isEqualTo(chunkKeys(info).size());
        assertThat(objects.list(ChunkTransfer.CHUNKS)).isEmpty();

        // While a collection holds its lock, another collection skips and a live lock is seen by publishers.
        objects.put(ChunkCollector.LOCK, now.minusSeconds(1).toString().getBytes(UTF_8));
        assertThat(collector.collect().skipped()).hasValueSatisfying(why -> assertThat(why).contains("another"));
        assertThat(collector.stale(ChunkCollector.LOCK)).isFalse();
        objects.delete(ChunkCollector.LOCK);
        assertThat(collector.stale(ChunkCollector.LOCK)).isTrue();
    }

    private Set<String> chunkKeys(SnapshotInfo info) {
        return ChunkTransfer.distinctChunks(info.files()).keySet().stream().map(ChunkTransfer::key)
                .collect(Collectors.toSet());
    }

    private void putSigned(String key, byte[] json) throws Exception {
        objects.put(key.replace("info.json", InfoSignature.FILE_NAME), InfoSignature.sign(KEY, key, json).toJson());
        objects.put(key, json);
    }

    private static void assertSame(Path source, Path target, SnapshotInfo info) throws IOException {
        for (String name : info.files().keySet()) {
            assertThat(Files.mismatch(source.resolve(name), target.resolve(name))).as(name).isEqualTo(-1L);
            assertThat(FileDigests.describe(target.resolve(name))).isEqualTo(info.files().get(name));
        }
    }

    private static List<String> listDir(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
