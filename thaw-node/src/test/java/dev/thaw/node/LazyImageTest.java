package dev.thaw.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.thaw.api.FileDigests;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.ImageInfo;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.NodeKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lazily presented images against real guests (QEMU), the embedded S3 server and a real FUSE
 * mount: examples/hello is deployed, booted and published once by a node with a key of its own;
 * each node here is a fresh one that lacks the images and trusts that key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class LazyImageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long BUDGET = 4L << 30;

    private final NodeKey originKey = NodeKey.generate("origin");
    private QemuMicrovmDriver driver;
    private TestS3 s3;
    private S3ObjectStore objects;
    private FunctionDeployment hello;
    private Path work;

    @BeforeAll
    void publishHello() throws Exception {
        driver = TestGuests.driver();
        s3 = TestS3.start();
        objects = s3.newStore();
        hello = new FunctionDeployment(TestGuests.spec(TestGuests.example("hello")), true);
        work = Files.createTempDirectory("thaw-lazy-image-test");
        try (NodeRuntime origin = NodeRuntime.open(new NodeConfig("origin", SnapshotMode.REMOTE,
                work.resolve("origin"), BUDGET, 0), driver, Optional.of(new SnapshotStore(objects, originKey)))) {
            origin.deploy(hello);
            try (Instance first = origin.start(hello)) {
                assertThat(first.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(invoke(first)).contains("thaw");
            }
            origin.awaitPublications();
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (work != null) {
            dev.thaw.sandbox.FileTrees.deleteTree(work);
        }
    }

    private NodeRuntime fresh(String name) throws Exception {
        NodeRuntime node = NodeRuntime.open(new NodeConfig(name, SnapshotMode.REMOTE, work.resolve(name), BUDGET, 0),
                driver, Optional.of(new SnapshotStore(objects, NodeKey.generate(name))));
        if (!node.lazyStats().available()) {
            node.close();
            assumeThat(false).as("FUSE available for lazy presentation").isTrue();
        }
        return node;
    }

    @Test
    void aNodeThatLacksTheImagesPresentsThemAndReadsOnlyWhatTheGuestTouches() throws Exception {
        String base = hello.spec().diskDigests().getFirst();
        String layer = hello.spec().diskDigests().getLast();
        long layerSize = Files.size(hello.spec().disks().getLast());
        try (NodeRuntime node = fresh("lazy-image")) {
            try (Instance instance = node.start(hello.elsewhere(), originKey.alone())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(instance.start().fallbacks()).isEmpty();
                assertThat(instance.start().imageBytes()).as("nothing fetched whole").isZero();
                assertThat(invoke(instance)).contains("thaw");
                long read = node.lazyImageFetchedBytes(layer);
                long readBase = node.lazyImageFetchedBytes(base);
                System.out.printf("lazy images: layer %d of %d bytes fetched, base %d of %d%n", read, layerSize,
                        readBase, Files.size(hello.spec().disks().getFirst()));
                assertThat(read).isLessThan(layerSize);
                assertThat(readBase).isLessThan(Files.size(hello.spec().disks().getFirst()));
                assertThat(node.presence().presentBytes("hello", hello.revision())).isPositive()
                        .isLessThanOrEqualTo(node.presence().totalBytes("hello", hello.revision()));
            }
            assertThat(node.lazyStats().lazyImages()).isEqualTo(2);
            assertThat(node.lazyStats().imageFaults()).isZero();
            assertThat(node.stats().cached()).extracting(e -> e.key()).noneMatch(k -> k.startsWith("images/"));

            // The disk the guest was given is byte for byte the image it was built and snapshotted with.
            Path presented = node.presentedImage(layer).orElseThrow();
            assertThat(FileDigests.sha256Hex(presented)).isEqualTo(layer);

            // A second start reuses the presented images and their chunks.
            try (Instance again = node.start(hello.elsewhere(), originKey.alone())) {
                assertThat(again.start().tier()).isIn(StartTier.REMOTE, StartTier.LOCAL, StartTier.CLONE);
                assertThat(invoke(again)).contains("thaw");
            }
            assertThat(node.lazyStats().lazyImages()).isEqualTo(2);
            node.awaitPublications();
        }
        assertThat(mounted(work.resolve("lazy-image").resolve("lazy"))).as("no FUSE mount outlives its node")
                .isFalse();
    }

    @Test
    void aCorruptImageChunkFailsTheStartCleanly() throws Exception {
        spoiledLayerFailsTheStart("corrupt-image", (key, bytes) -> {
            byte[] bad = bytes.clone();
            bad[bad.length / 2] ^= 0x5a;
            objects.put(key, bad);
        }, "of image ");
    }

    @Test
    void aMissingImageChunkFailsTheStartCleanly() throws Exception {
        spoiledLayerFailsTheStart("missing-image", (key, bytes) -> objects.delete(key), "missing");
    }

    /**
     * Spoils every non-zero chunk of the function's layer; a node that lacks the layer boots a revision
     * without a snapshot from it, its guest's reads of the layer fail (EIO), and the start fails with
     * the cause, counted, leaving no VMM (checked by the extension) and no mount behind.
     */
    private void spoiledLayerFailsTheStart(String name, Spoil spoil, String why) throws Exception {
        String layer = hello.spec().diskDigests().getLast();
        ImageInfo image = new SnapshotStore(objects).findImage(layer).orElseThrow();
        Map<String, byte[]> originals = new HashMap<>();
        for (int i = 0; i < image.disk().chunks().size(); i++) {
            if (!ChunkTransfer.isZero(image.disk(), i)) {
                String key = ChunkTransfer.key(image.disk().chunks().get(i));
                originals.putIfAbsent(key, objects.get(key));
            }
        }
        // The same images under a revision that has no snapshot: the start boots from the presented disks.
        BootSpec spec = hello.spec();
        FunctionDeployment unsnapshotted = new FunctionDeployment(new BootSpec(spec.function(), name,
                spec.shape(), spec.kernel(), spec.initramfs(), spec.kernelDigest(), spec.disks(), spec.diskDigests(),
                spec.initTimeout()), true).elsewhere();
        try {
            for (Map.Entry<String, byte[]> e : originals.entrySet()) {
                spoil.apply(e.getKey(), e.getValue());
            }
            try (NodeRuntime node = fresh(name)) {
                assertThatThrownBy(() -> node.start(unsnapshotted, originKey.alone()).close())
                        .isInstanceOf(NodeStartException.class)
                        .hasMessageContaining("lazily presented image failed a read")
                        .hasMessageContaining(why);
                assertThat(node.lazyStats().imageFaults()).isEqualTo(1);
                assertThat(node.stats().counters().verifyFailures()).isNotEmpty();
            }
            assertThat(mounted(work.resolve(name).resolve("lazy"))).isFalse();
        } finally {
            for (Map.Entry<String, byte[]> e : originals.entrySet()) {
                objects.put(e.getKey(), e.getValue());
            }
        }
    }

    @FunctionalInterface
    private interface Spoil {
        void apply(String key, byte[] original) throws Exception;
    }

    private static boolean mounted(Path dir) throws Exception {
        String target = dir.toAbsolutePath().normalize().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(line -> line.split(" ")[4].equals(target));
    }

    private static String invoke(Instance instance) throws Exception {
        InvocationResult result = instance.invoke("{\"name\":\"thaw\"}".getBytes(UTF_8), TIMEOUT);
        assertThat(result.outcome()).isEqualTo(InvocationResult.Outcome.OK);
        return new String(result.body(), UTF_8);
    }
}
