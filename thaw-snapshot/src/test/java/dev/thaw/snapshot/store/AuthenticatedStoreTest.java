package dev.thaw.snapshot.store;

import static dev.thaw.snapshot.store.Bundles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.trust.VerificationException;
import dev.thaw.snapshot.trust.VerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks by a holder of the store's credentials, through a real S3 server: every forged,
 * re-signed or tampered object is refused with its reason, and nothing of it is left in the target.
 */
class AuthenticatedStoreTest {
    private static final NodeKey PUBLISHER = NodeKey.generate("node-a");
    private static final NodeKey STRANGER = NodeKey.generate("node-a"); // claims the same name
    private static final TrustedSigners TRUSTED = PUBLISHER.alone();

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

    @Test
    void aSignedSnapshotVerifiesForItsSignersOnly() throws Exception {
        SnapshotInfo info = publish("genuine");
        assertThat(store.findSnapshot("genuine", "r1", TRUSTED)).contains(info);
        assertThat(store.fetchSnapshot(info, tmp.resolve("t")).rawBytes()).isPositive();
        assertThat(objects.list("snapshots/genuine/r1/")).contains("snapshots/genuine/r1/" + InfoSignature.FILE_NAME);

        assertRefused("genuine", STRANGER.alone(), Reason.UNTRUSTED_SIGNER);
        assertRefused("genuine", TrustedSigners.none(), Reason.UNTRUSTED_SIGNER);
    }

    @Test
    void infoChangedWithoutSigningAgainIsRefused() throws Exception {
        publish("edited");
        String key = "snapshots/edited/r1/info.json";
        String json = new String(objects.get(key), StandardCharsets.UTF_8);
        objects.put(key, json.replace("123.5", "1.5").getBytes(StandardCharsets.UTF_8));
        assertRefused("edited", TRUSTED, Reason.BAD_SIGNATURE);
    }

    @Test
    void infoSignedAgainByAStrangerIsRefused() throws Exception {
        publish("resigned");
        String key = "snapshots/resigned/r1/info.json";
        byte[] json = new String(objects.get(key), StandardCharsets.UTF_8).replace("123.5", "1.5")
                .getBytes(StandardCharsets.UTF_8);
        objects.put(key, json);
        objects.put("snapshots/resigned/r1/info.sig", InfoSignature.sign(STRANGER, key, json).toJson());
        assertRefused("resigned", TRUSTED, Reason.UNTRUSTED_SIGNER);
    }

    @Test
    void anUnsignedOrGarbledSignatureIsRefused() throws Exception {
        publish("unsigned");
        objects.delete("snapshots/unsigned/r1/info.sig");
        assertRefused("unsigned", TRUSTED, Reason.UNSIGNED);
        objects.put("snapshots/unsigned/r1/info.sig", "{\"formatVersion\":1}".getBytes(StandardCharsets.UTF_8));
        assertRefused("unsigned", TRUSTED, Reason.BAD_SIGNATURE);
        objects.put("snapshots/unsigned/r1/info.sig", new byte[InfoSignature.MAX_BYTES + 1]);
        assertRefused("unsigned", TRUSTED, Reason.BAD_SIGNATURE);
    }

    @Test
    void anotherFunctionsSignedSnapshotCopiedInPlaceIsRefused() throws Exception {
        publish("victim");
        publish("other");
        for (String key : objects.list("snapshots/other/r1/")) {
            objects.put(key.replace("/other/", "/victim/"), objects.get(key));
        }
        // Its signature binds it to where it was published.
        assertRefused("victim", TRUSTED, Reason.BAD_SIGNATURE);

        // Even one signed for this place by a trusted key must describe this function.
        byte[] otherInfo = objects.get("snapshots/other/r1/info.json");
        String key = "snapshots/victim/r1/info.json";
        objects.put("snapshots/victim/r1/info.sig", InfoSignature.sign(PUBLISHER, key, otherInfo).toJson());
        assertRefused("victim", TRUSTED, Reason.WRONG_SUBJECT);
    }

    @Test
    void aTamperedChunkIsRefusedAndNothingIsLeft() throws Exception {
        SnapshotInfo info = publish("tampered");
        String object = ChunkTransfer.key(info.files().get("mem").chunks().getFirst());
        byte[] packed = objects.get(object);
        packed[packed.length / 2] ^= 0x5a;
        objects.put(object, packed);
        Path target = tmp.resolve("target");
        SnapshotInfo found = store.findSnapshot("tampered", "r1", TRUSTED).orElseThrow();
        assertThat(found).isEqualTo(info);
        assertThatThrownBy(() -> store.fetchSnapshot(found, target)).isInstanceOf(CorruptBundleException.class);
        try (var left = Files.list(target)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aPlantedImageIsRefusedAndPublishingOverwritesIt() throws Exception {
        Path genuine = disk("genuine.img", 1);
        String digest = FileDigests.describe(genuine).sha256();
        Path planted = disk("planted.img", 2);

        // The attacker publishes other bytes under the genuine digest, with an honest-looking info.json...
        byte[] infoJson = new ImageInfo(ImageInfo.PACKED_VERSION, digest,
                Map.of(ImageInfo.DISK, FileDigests.describe(planted)), java.time.Instant.now(), "evil").toJson();
        new BundleTransfer(objects).publish("images/" + digest + "/", Map.of(ImageInfo.DISK, planted),
                Map.of(ImageInfo.DISK, FileDigests.describe(planted)), infoJson);
        assertThatThrownBy(() -> store.findImage(digest)).isInstanceOf(VerificationException.class)
                .extracting(e -> ((VerificationException) e).reason()).isEqualTo(Reason.IMAGE_DIGEST);

        // ...or one that claims the digest as its SHA-256 too: the bytes still do not hash to it.
        var plantedEntry = FileDigests.describe(planted);
        var lying = new SnapshotInfo.FileEntry(plantedEntry.size(), digest, plantedEntry.chunkSize(), plantedEntry.chunks());
        byte[] lyingJson = new ImageInfo(ImageInfo.PACKED_VERSION, digest, Map.of(ImageInfo.DISK, lying),
                java.time.Instant.now(), "evil").toJson();
        objects.put("images/" + digest + "/info.json", lyingJson);
        ImageInfo found = store.findImage(digest).orElseThrow();
        Path target = tmp.resolve("image");
        assertThatThrownBy(() -> store.fetchImage(found, target)).isInstanceOf(VerificationException.class)
                .extracting(e -> ((VerificationException) e).reason()).isEqualTo(Reason.IMAGE_DIGEST);
        assertThat(target.resolve(ImageInfo.DISK)).doesNotExist();

        // Publishing the genuine image does not trust what is there: it overwrites it.
        PublishReport report = store.publishImage(digest, genuine, "gateway");
        assertThat(report.skipped()).isFalse();
        ImageInfo fixed = store.findImage(digest).orElseThrow();
        store.fetchImage(fixed, target);
        assertThat(Files.readAllBytes(target.resolve(ImageInfo.DISK))).isEqualTo(Files.readAllBytes(genuine));
        assertThat(store.publishImage(digest, genuine, "gateway").skipped()).isTrue();
    }

    @Test
    void anImageIsPublishedOnlyUnderItsOwnDigest() throws Exception {
        Path disk = disk("x.img", 3);
        assertThatThrownBy(() -> store.publishImage("0".repeat(64), disk, "gateway"))
                .isInstanceOf(StoreException.class).hasMessageContaining("not the digest");
        assertThat(objects.list("images/" + "0".repeat(64))).isEmpty();
    }

    @Test
    void aStoreWithoutAKeyPublishesNoSnapshot() throws Exception {
        Path source = tmp.resolve("source");
        SnapshotInfo info = Bundles.sparseSnapshot(source, "keyless", "r1", 4, 1);
        assertThatThrownBy(() -> new SnapshotStore(objects).publishSnapshot(source, info))
                .isInstanceOf(IllegalStateException.class);
        assertThat(objects.list("snapshots/keyless/")).isEmpty();
    }

    @Test
    void aNodeKeyIsCreatedPrivateOnceAndReused() throws Exception {
        Path dir = tmp.resolve("identity");
        NodeKey first = NodeKey.loadOrCreate(dir, "node-a");
        NodeKey again = NodeKey.loadOrCreate(dir, "node-a");
        assertThat(again.publicKeyText()).isEqualTo(first.publicKeyText());
        assertThat(Files.getPosixFilePermissions(dir.resolve(NodeKey.FILE_NAME)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        byte[] message = "m".getBytes(StandardCharsets.UTF_8);
        SnapshotInfo info = Bundles.info("k", "r1", Map.of());
        // What one signs, the other's public key verifies: they are one key pair.
        byte[] json = info.toString().getBytes(StandardCharsets.UTF_8);
        first.alone().check(InfoSignature.sign(again, "k", json), InfoSignature.message("k", json), "k");
        assertThat(message).isNotEmpty();

        Files.writeString(dir.resolve(NodeKey.FILE_NAME), "garbage\nmore\n");
        assertThatThrownBy(() -> NodeKey.loadOrCreate(dir, "node-a")).hasMessageContaining("Ed25519 key pair");
        assertThat(Set.of(dir.toFile().list())).containsExactly(NodeKey.FILE_NAME);
    }

    private SnapshotInfo publish(String function) throws Exception {
        Path source = tmp.resolve("src-" + function);
        SnapshotInfo info = Bundles.sparseSnapshot(source, function, "r1", 8, function.hashCode());
        store.publishSnapshot(source, info);
        return info;
    }

    private static void assertRefused(String function, TrustedSigners signers, Reason reason) {
        assertThatThrownBy(() -> store.findSnapshot(function, "r1", signers))
                .isInstanceOf(VerificationException.class)
                .satisfies(e -> assertThat(((VerificationException) e).reason()).as(e.getMessage()).isEqualTo(reason));
    }

    private Path disk(String name, long seed) throws Exception {
        byte[] data = new byte[2 * MIB + 512];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }
}
