package dev.thaw.snapshot.store;

import static dev.thaw.snapshot.store.Bundles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image layers as signed manifests of content-addressed chunks, through a real S3 server: shared
 * chunks are stored once, chunk collection keeps what image manifests name, only a manifest a
 * trusted node signed may be read chunk by chunk, and the packed format 1 is still read.
 */
class ImageChunksTest {
    private static final NodeKey PUBLISHER = NodeKey.generate("node-a");

    private static TestS3 s3;
    private static S3ObjectStore objects;
    private static SnapshotStore store;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = TestS3.start();
        objects = s3.newStore();
        store = new SnapshotStore(objects, PUBLISHER);
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
    }

    /** {@code chunks} 1 MiB chunks of random bytes from {@code seed}, one of them zeros. */
    private Path image(String name, long seed, int chunks) throws Exception {
        byte[] data = Bundles.randomBytes(new Random(seed), chunks * MIB);
        Arrays.fill(data, MIB, 2 * MIB, (byte) 0);
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void layersShareChunksAndUploadOnlyWhatTheStoreLacks() throws Exception {
        Path first = image("first.ext4", 11, 6);
        byte[] changed = Files.readAllBytes(first);
        changed[5 * MIB + 7] ^= 1; // a second layer that differs in its last chunk only
        Path second = Files.write(tmp.resolve("second.ext4"), changed);
        String a = FileDigests.sha256Hex(first);
        String b = FileDigests.sha256Hex(second);

        PublishReport one = store.publishImage(a, first, "node-a");
        PublishReport two = store.publishImage(b, second, "node-a");

        // Five non-zero chunks the first time; one new chunk the second.
        assertThat(one.storedBytes()).isGreaterThan(5 * MIB);
        assertThat(two.storedBytes()).isLessThan(MIB + 8192).isGreaterThan(MIB);
        ImageInfo info = store.findImage(b).orElseThrow();
        assertThat(info.chunked()).isTrue();
        assertThat(store.storedImageBytes(info)).isGreaterThan(5 * MIB);
        Path target = tmp.resolve("fetched");
        store.fetchImage(info, target);
        assertThat(Files.readAllBytes(target.resolve(ImageInfo.DISK))).isEqualTo(changed);

        // Collection keeps every chunk an image manifest names.
        ChunkCollector.Report report = store.collectChunks();
        assertThat(report.skipped()).isEmpty();
        Path again = tmp.resolve("again");
        store.fetchImage(store.findImage(a).orElseThrow(), again);
        assertThat(Files.readAllBytes(again.resolve(ImageInfo.DISK))).isEqualTo(Files.readAllBytes(first));
    }

    @Test
    void onlyAManifestATrustedNodeSignedMayBeReadChunkByChunk() throws Exception {
        Path disk = image("signed.ext4", 12, 3);
        String digest = FileDigests.sha256Hex(disk);
        store.publishImage(digest, disk, "node-a");
        ImageInfo info = store.findImage(digest).orElseThrow();

        assertThat(store.lazyImageProblem(info, PUBLISHER.alone())).isEmpty();
        assertThat(store.lazyImageProblem(info, TrustedSigners.none())).get().asString().contains("info.json");
        assertThat(store.lazyImageProblem(info, NodeKey.generate("node-a").alone())).isPresent();

        // A manifest edited after it was signed no longer verifies.
        String key = "images/" + digest + "/info.json";
        byte[] signed = objects.get(key);
        ImageInfo edited = new ImageInfo(ImageInfo.FORMAT_VERSION, digest, info.files(), Instant.EPOCH, "evil");
        objects.put(key, edited.toJson());
        try {
            assertThat(store.lazyImageProblem(edited, PUBLISHER.alone())).isPresent();
        } finally {
            objects.put(key, signed);
        }

        // Published without a key (as the gateway does), it is read whole only.
        Path other = image("unsigned.ext4", 13, 2);
        String otherDigest = FileDigests.sha256Hex(other);
        SnapshotStore unsigned = new SnapshotStore(objects);
        unsigned.publishImage(otherDigest, other, "gateway");
        ImageInfo plain = unsigned.findImage(otherDigest).orElseThrow();
        assertThat(store.lazyImageProblem(plain, PUBLISHER.alone())).get().asString().contains("unsigned");
        // A node that can sign publishes it again, signed, uploading no chunk.
        PublishReport resigned = store.publishImage(otherDigest, other, "node-a");
        assertThat(resigned.skipped()).isFalse();
        assertThat(resigned.storedBytes()).isLessThan(8192);
        assertThat(store.lazyImageProblem(store.findImage(otherDigest).orElseThrow(), PUBLISHER.alone())).isEmpty();
    }

    @Test
    void aChunkReadOnItsOwnIsVerifiedAgainstTheManifest() throws Exception {
        Path disk = image("chunky.ext4", 14, 3);
        String digest = FileDigests.sha256Hex(disk);
        store.publishImage(digest, disk, "node-a");
        ImageInfo info = store.findImage(digest).orElseThrow();
        byte[] raw = Files.readAllBytes(disk);

        AtomicLong fetched = new AtomicLong();
        assertThat(store.fetchImageChunk(info, 2, fetched)).isEqualTo(Arrays.copyOfRange(raw, 2 * MIB, 3 * MIB));
        assertThat(fetched.get()).isPositive();

        String chunk = ChunkTransfer.key(info.disk().chunks().get(2));
        byte[] good = objects.get(chunk);
        objects.put(chunk, objects.get(ChunkTransfer.key(info.disk().chunks().get(0)))); // another chunk's frame
        try {
            assertThatThrownBy(() -> store.fetchImageChunk(info, 2, new AtomicLong()))
                    .isInstanceOf(CorruptBundleException.class).hasMessageContaining("chunk 2 of image " + digest);
        } finally {
            objects.put(chunk, good);
        }
        objects.delete(chunk);
        try {
            assertThatThrownBy(() -> store.fetchImageChunk(info, 2, new AtomicLong()))
                    .isInstanceOf(CorruptBundleException.class).hasMessageContaining("missing");
        } finally {
            objects.put(chunk, good);
        }
    }

    @Test
    void thePackedFormatOneIsStillReadAndPublishingReplacesIt() throws Exception {
        Path disk = image("packed.ext4", 15, 3);
        String digest = FileDigests.sha256Hex(disk);
        var entry = FileDigests.describe(disk);
        byte[] json = new ImageInfo(ImageInfo.PACKED_VERSION, digest, Map.of(ImageInfo.DISK, entry), Instant.now(),
                "old").toJson();
        new BundleTransfer(objects).publish("images/" + digest + "/", Map.of(ImageInfo.DISK, disk),
                Map.of(ImageInfo.DISK, entry), json);

        ImageInfo old = store.findImage(digest).orElseThrow();
        assertThat(old.chunked()).isFalse();
        assertThat(store.lazyImageProblem(old, PUBLISHER.alone())).get().asString().contains("packed format 1");
        Path target = tmp.resolve("old");
        store.fetchImage(old, target);
        assertThat(Files.readAllBytes(target.resolve(ImageInfo.DISK))).isEqualTo(Files.readAllBytes(disk));

        assertThat(store.publishImage(digest, disk, "node-a").skipped()).isFalse();
        assertThat(store.findImage(digest).orElseThrow().chunked()).isTrue();
        assertThat(objects.list("images/" + digest + "/")).containsExactlyInAnyOrder(
                "images/" + digest + "/info.json", "images/" + digest + "/info.sig");
        assertThat(store.publishImage(digest, disk, "node-a").skipped()).isTrue();
    }
}
