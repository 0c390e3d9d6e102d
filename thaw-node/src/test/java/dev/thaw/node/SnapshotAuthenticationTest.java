package dev.thaw.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.snapshot.store.BundleTransfer;
import dev.thaw.snapshot.store.ImageInfo;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Someone with the store's credentials attacks a function's snapshot and images, with real
 * guests and a real S3 server: node-a published examples/hello; node-b, which trusts node-a's
 * key for that revision, refuses every forged, re-signed, swapped or tampered object, counts it,
 * boots instead, and keeps serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class SnapshotAuthenticationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long BUDGET = 4L << 30;

    private final NodeKey keyA = NodeKey.generate("node-a");
    private final NodeKey keyB = NodeKey.generate("node-b");
    private final NodeKey stranger = NodeKey.generate("node-a");
    private QemuMicrovmDriver driver;
    private TestS3 s3;
    private S3ObjectStore objects;
    private FunctionDeployment hello;
    private Path work;
    private String prefix;
    /** node-a's snapshot as published, restored before each attack. */
    private final Map<String, byte[]> genuine = new LinkedHashMap<>();
    /** Its chunk objects, put back before each attack too. */
    private final Map<String, byte[]> genuineChunks = new LinkedHashMap<>();
    private NodeRuntime nodeB;

    @BeforeAll
    void publishFromNodeA() throws Exception {
        driver = TestGuests.driver();
        s3 = TestS3.start();
        objects = s3.newStore();
        hello = new FunctionDeployment(TestGuests.spec(TestGuests.example("hello")), true);
        work = Files.createTempDirectory("thaw-auth-test");
        prefix = "snapshots/hello/" + hello.revision() + "/";
        try (NodeRuntime nodeA = node("node-a", keyA)) {
            nodeA.deploy(hello);
            try (Instance first = nodeA.start(hello)) {
                assertThat(first.start().tier()).isEqualTo(StartTier.BOOT);
            }
            nodeA.awaitPublications();
        }
        for (String key : objects.list(prefix)) {
            genuine.put(key, objects.get(key));
        }
        assertThat(genuine).containsKey(prefix + InfoSignature.FILE_NAME);
        for (String key : objects.list(dev.thaw.snapshot.store.ChunkTransfer.CHUNKS)) {
            genuineChunks.put(key, objects.get(key));
        }
        nodeB = node("node-b", keyB);
    }

    @AfterAll
    void stop() throws Exception {
        if (nodeB != null) {
            nodeB.close();
        }
        if (driver != null) {
            driver.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (work != null) {
            FileTrees.deleteTree(work);
        }
    }

    /** node-b forgets its copy, and the store holds node-a's snapshot again (node-b's boots publish their own). */
    @BeforeEach
    void restoreGenuine() throws Exception {
        nodeB.awaitPublications();
        nodeB.evictSnapshot(hello.elsewhere());
        for (String key : objects.list(prefix)) {
            objects.delete(key);
        }
        for (Map.Entry<String, byte[]> e : genuine.entrySet()) {
            objects.put(e.getKey(), e.getValue());
        }
        // A refused fetch deletes a tampered chunk; node-b's own boot need not hold the same bytes.
        for (Map.Entry<String, byte[]> e : genuineChunks.entrySet()) {
            objects.put(e.getKey(), e.getValue());
        }
    }

    @Test
    void theGenuineSnapshotRestoresOnlyForANodeThatTrustsItsSigner() throws Exception {
        try (Instance instance = nodeB.start(hello.elsewhere(), keyA.alone())) {
            assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
            assertThat(instance.start().fallbacks()).isEmpty();
            assertThat(invoke(instance)).contains("thaw");
        }
        nodeB.evictSnapshot(hello.elsewhere());
        // Without node-a among the signers the gateway names, node-a's snapshot is a stranger's.
        assertBootsRefused(TrustedSigners.none(), "untrusted_signer");
    }

    @Test
    void aPrefetchVerifiesTheSnapshotAsAStartDoes() throws Exception {
        String key = "snapshots/hello/" + hello.revision();
        // Not among the signers the gateway names: not fetched, counted as a start counts it.
        long untrusted = refusals("untrusted_signer");
        assertThat(nodeB.prefetch(hello.elsewhere(), TrustedSigners.none())).isZero();
        assertThat(refusals("untrusted_signer")).isEqualTo(untrusted + 1);
        assertThat(nodeB.stats().cached()).extracting(e -> e.key()).doesNotContain(key);

        // A trusted signer but a tampered memory chunk: discarded, nothing cached.
        String memChunk = memChunkKey();
        byte[] genuineMem = objects.get(memChunk);
        byte[] mem = genuineMem.clone();
        mem[mem.length / 3] ^= 0x40;
        objects.put(memChunk, mem);
        long content = refusals("content");
        assertThat(nodeB.prefetch(hello.elsewhere(), keyA.alone())).isZero();
        assertThat(refusals("content")).isEqualTo(content + 1);
        assertThat(nodeB.stats().cached()).extracting(e -> e.key()).doesNotContain(key);

        // The genuine snapshot of a trusted signer is fetched, and the next start restores it from the cache.
        objects.put(memChunk, genuineMem);
        assertThat(nodeB.prefetch(hello.elsewhere(), keyA.alone())).isPositive();
        assertThat(nodeB.stats().cached()).extracting(e -> e.key()).contains(key);
        try (Instance instance = nodeB.start(hello.elsewhere(), keyA.alone())) {
            assertThat(instance.start().tier()).isEqualTo(StartTier.LOCAL);
            assertThat(invoke(instance)).contains("thaw");
        }
    }

    @Test
    void aTamperedMemoryChunkIsRefused() throws Exception {
        String memChunk = memChunkKey();
        byte[] mem = objects.get(memChunk);
        mem[mem.length / 3] ^= 0x40;
        objects.put(memChunk, mem);
        assertBootsRefused(keyA.alone(), "content");
    }

    /** The object of a non-zero chunk from the middle of the published snapshot's memory. */
    private String memChunkKey() throws Exception {
        dev.thaw.api.SnapshotInfo info = dev.thaw.api.Json.mapper().readValue(objects.get(prefix + "info.json"),
                dev.thaw.api.SnapshotInfo.class);
        var mem = info.files().get("mem");
        java.util.List<String> data = new java.util.ArrayList<>();
        for (int i = 0; i < mem.chunks().size(); i++) {
            if (!dev.thaw.snapshot.store.ChunkTransfer.isZero(mem, i)) {
                data.add(mem.chunks().get(i));
            }
        }
        return dev.thaw.snapshot.store.ChunkTransfer.key(data.get(data.size() / 2));
    }

    @Test
    void infoEditedWithoutSigningAgainIsRefused() throws Exception {
        String json = new String(objects.get(prefix + "info.json"), UTF_8);
        objects.put(prefix + "info.json", json.replaceFirst("\"initMs\" : [0-9.]+", "\"initMs\" : 1.0").getBytes(UTF_8));
        assertBootsRefused(keyA.alone(), "bad_signature");
    }

    @Test
    void infoSignedAgainByAStrangerIsRefused() throws Exception {
        byte[] json = new String(objects.get(prefix + "info.json"), UTF_8)
                .replaceFirst("\"initMs\" : [0-9.]+", "\"initMs\" : 1.0").getBytes(UTF_8);
        objects.put(prefix + "info.json", json);
        objects.put(prefix + InfoSignature.FILE_NAME, InfoSignature.sign(stranger, prefix + "info.json", json).toJson());
        assertBootsRefused(keyA.alone(), "untrusted_signer");
    }

    @Test
    void anotherFunctionsValidlySignedSnapshotSwappedInIsRefused() throws Exception {
        // node-a publishes a snapshot of another function (here: hello's files under another name)...
        SnapshotStore storeA = new SnapshotStore(objects, keyA);
        SnapshotInfo info = storeA.findSnapshot("hello", hello.revision()).orElseThrow();
        Path copy = work.resolve("other-source");
        storeA.fetchSnapshot(info, copy);
        SnapshotInfo other = new SnapshotInfo(info.formatVersion(), "other", info.revision(), info.driver(),
                info.driverVersion(), info.shape(), info.kernelDigest(), info.imageDigests(), info.files(),
                info.createdAt(), info.node(), info.initMs());
        storeA.publishSnapshot(copy, other);
        FileTrees.deleteTree(copy);
        // ...and the attacker copies it, signature and all, over hello's.
        for (String key : objects.list("snapshots/other/")) {
            objects.put(key.replace("snapshots/other/", "snapshots/hello/"), objects.get(key));
        }
        assertBootsRefused(keyA.alone(), "bad_signature");
    }

    @Test
    void aPlantedImageIsRefusedUntilTheFunctionIsDeployedAgain() throws Exception {
        String layer = hello.spec().diskDigests().getLast();
        String imagePrefix = "images/" + layer + "/";
        Map<String, byte[]> genuineImage = new LinkedHashMap<>();
        for (String key : objects.list(imagePrefix)) {
            genuineImage.put(key, objects.get(key));
        }
        // Other bytes under the layer's digest, with an info.json that claims that digest as their SHA-256.
        byte[] bytes = new byte[(int) Files.size(hello.spec().disks().getLast())];
        new Random(7).nextBytes(bytes);
        Path planted = Files.write(work.resolve("planted.ext4"), bytes);
        SnapshotInfo.FileEntry real = FileDigests.describe(planted);
        SnapshotInfo.FileEntry lying = new SnapshotInfo.FileEntry(real.size(), layer, real.chunkSize(), real.chunks());
        byte[] info = new ImageInfo(ImageInfo.PACKED_VERSION, layer, Map.of(ImageInfo.DISK, lying), Instant.now(),
                "evil").toJson();
        new BundleTransfer(objects).publish(imagePrefix, Map.of(ImageInfo.DISK, planted),
                Map.of(ImageInfo.DISK, real), info);
        objects.put(imagePrefix + "info.json", info);
        nodeB.evictImage(layer);

        long before = refusals("image_digest");
        assertThatThrownBy(() -> nodeB.start(hello.elsewhere(), keyA.alone()))
                .isInstanceOf(NodeStartException.class).hasMessageContaining("refused");
        assertThat(refusals("image_digest")).isGreaterThan(before);

        // Deploying again does not trust the object at that digest: it checks it and publishes over it.
        try (NodeRuntime nodeA = node("node-a", keyA)) {
            nodeA.deploy(hello);
        }
        try (Instance instance = nodeB.start(hello.elsewhere(), keyA.alone())) {
            // The snapshot came into node-b's cache before the image was refused.
            assertThat(instance.start().tier()).isIn(StartTier.REMOTE, StartTier.LOCAL);
            // node-a signed the image it published again, so node-b presents it lazily (or, without FUSE, fetches it).
            assertThat(instance.start().imageBytes() + nodeB.lazyStats().lazyImages()).isPositive();
            assertThat(invoke(instance)).contains("thaw");
        }
        // The store holds the genuine image again (published anew, so only its time differs).
        assertThat(ImageInfo.parse(Path.of("stored"), objects.get(imagePrefix + "info.json")).disk())
                .isEqualTo(ImageInfo.parse(Path.of("genuine"), genuineImage.get(imagePrefix + "info.json")).disk());
    }

    /** A start with {@code signers} boots, notes the refusal, counts it under {@code reason}, and serves. */
    private void assertBootsRefused(TrustedSigners signers, String reason) throws Exception {
        long before = refusals(reason);
        try (Instance instance = nodeB.start(hello.elsewhere(), signers)) {
            assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
            assertThat(String.join("\n", instance.start().fallbacks())).containsAnyOf("refused", "discarded");
            assertThat(invoke(instance)).contains("thaw");
        }
        assertThat(refusals(reason)).isEqualTo(before + 1);
        // Its own snapshot, taken on that boot, serves the next start.
        try (Instance next = nodeB.start(hello.elsewhere(), signers)) {
            assertThat(next.start().tier()).isEqualTo(StartTier.LOCAL);
            assertThat(invoke(next)).contains("thaw");
        }
    }

    private long refusals(String reason) {
        return nodeB.stats().counters().verifyFailures().get(reason);
    }

    /**
     * Nodes that fetch whole snapshots: every chunk is checked before a restore, so a tampered chunk
     * anywhere is refused at once. (A lazy start checks each chunk when the guest first touches it;
     * NodeRuntimeTest covers that.)
     */
    private NodeRuntime node(String name, NodeKey key) throws Exception {
        return NodeRuntime.open(new NodeConfig(name, SnapshotMode.REMOTE, work.resolve(name), BUDGET, 0), driver,
                Optional.of(new SnapshotStore(objects, key)), false);
    }

    private static String invoke(Instance instance) throws Exception {
        InvocationResult result = instance.invoke("{\"name\":\"thaw\"}".getBytes(UTF_8), TIMEOUT);
        assertThat(result.outcome()).isEqualTo(InvocationResult.Outcome.OK);
        return new String(result.body(), UTF_8);
    }
}
