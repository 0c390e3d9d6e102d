package dev.thaw.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.snapshot.store.S3Config;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.testing.TestS3;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node lifecycle against real guests and a real S3 server on loopback:
 * examples/hello is booted and published once; every other node here is a
 * fresh one (own cache directory) that never saw the function.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class NodeRuntimeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long BUDGET = 4L << 30;

    private QemuMicrovmDriver driver;
    private TestS3 s3;
    private SnapshotStore store;
    private final dev.thaw.snapshot.trust.NodeKey key = dev.thaw.snapshot.trust.NodeKey.generate("origin");
    private S3ObjectStore objects;
    private FunctionDeployment hello;
    private Path work;

    @BeforeAll
    void publishHello() throws Exception {
        driver = TestGuests.driver();
        s3 = TestS3.start();
        objects = s3.newStore();
        // One key for every node of this class: each trusts what the others published.
        store = new SnapshotStore(objects, key);
        hello = new FunctionDeployment(TestGuests.spec(TestGuests.example("hello")), true);
        work = Files.createTempDirectory("thaw-node-test");
        try (NodeRuntime origin = node("origin", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            origin.deploy(hello);
            try (Instance first = origin.start(hello)) {
                assertThat(first.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(first.start().snapshotMs()).isPositive();
                assertThat(invoke(first)).contains("thaw");
            }
            origin.awaitPublications();
            assertThat(origin.stats().counters().published()).isEqualTo(1);
            try (Instance second = origin.start(hello)) {
                assertThat(second.start().tier()).isEqualTo(StartTier.LOCAL);
                assertThat(invoke(second)).contains("thaw");
            }
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

    @Test
    void aNodeThatNeverSawTheFunctionFetchesImagesAndSnapshotThenUsesItsCache() throws Exception {
        // Lazy restore off (as THAW_LAZY_RESTORE=off): images and snapshot are fetched whole and cached.
        try (NodeRuntime node = wholeFetchNode("fresh")) {
            try (Instance remote = node.start(hello.elsewhere())) {
                StartRecord record = remote.start();
                assertThat(record.tier()).isEqualTo(StartTier.REMOTE);
                assertThat(record.imageBytes()).isPositive();
                assertThat(record.snapshotBytes()).isPositive();
                assertThat(record.fallbacks()).isEmpty();
                assertThat(invoke(remote)).contains("thaw");
                assertThat(remote.firstResponseMs()).isPresent();
            }
            node.awaitPublications(); // a lazy start's snapshot is completed into the cache in the background
            try (Instance local = node.start(hello.elsewhere())) {
                assertThat(local.start().tier()).isEqualTo(StartTier.LOCAL);
                assertThat(local.start().imageBytes()).isZero();
                assertThat(invoke(local)).contains("thaw");
            }
            NodeStats stats = node.stats();
            assertThat(stats.cached()).extracting(e -> e.key()).contains(
                    "snapshots/hello/" + hello.revision(),
                    "images/" + hello.spec().diskDigests().get(0),
                    "images/" + hello.spec().diskDigests().get(1));
            assertThat(stats.counters().starts()).containsEntry("remote", 1L).containsEntry("local", 1L);
        }
    }

    @Test
    void aPrefetchedSnapshotMakesTheNextStartLocal() throws Exception {
        try (NodeRuntime node = node("prefetched", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            assertThat(node.prefetch(hello.elsewhere())).isPositive();
            // Already cached: nothing more to fetch.
            assertThat(node.prefetch(hello.elsewhere())).isZero();
            assertThat(node.stats().cached()).extracting(e -> e.key()).contains("snapshots/hello/" + hello.revision());
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.LOCAL);
                assertThat(instance.start().snapshotBytes()).isZero();
                assertThat(invoke(instance)).contains("thaw");
            }
        }
        try (NodeRuntime uncached = node("prefetch-nocache", SnapshotMode.REMOTE, 0, Optional.of(store))) {
            assertThat(uncached.prefetch(hello.elsewhere())).isZero();
        }
    }

    @Test
    void withoutASnapshotCacheEveryStartFetchesTheSnapshotButImagesAreKept() throws Exception {
        try (NodeRuntime node = node("nocache", SnapshotMode.REMOTE, 0, Optional.of(store))) {
            try (Instance first = node.start(hello.elsewhere())) {
                assertThat(first.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(first.start().imageBytes()).isPositive();
                assertThat(first.start().snapshotBytes()).isPositive();
                assertThat(invoke(first)).contains("thaw");
            }
            try (var scratch = Files.list(node.config().scratchDir())) {
                assertThat(scratch).as("the per-start snapshot copy is gone with its instance").isEmpty();
            }
            try (Instance second = node.start(hello.elsewhere())) {
                assertThat(second.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(second.start().imageBytes()).isZero();
                assertThat(second.start().snapshotBytes()).isPositive();
            }
            assertThat(node.stats().cached()).extracting(e -> e.key()).allMatch(k -> k.startsWith("images/"));
        }
    }

    @Test
    void concurrentColdStartsOfOneRevisionDownloadItOnce() throws Exception {
        try (NodeRuntime node = node("twins", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Callable<Instance> start = () -> node.start(hello.elsewhere());
                List<Future<Instance>> starts = pool.invokeAll(List.of(start, start));
                for (Future<Instance> future : starts) {
                    try (Instance instance = future.get()) {
                        assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                        assertThat(invoke(instance)).contains("thaw");
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            node.awaitPublications();
            var cache = node.stats().cache();
            if (node.lazyStats().available()) {
                // Each image presented once and shared by both starts; the snapshot completed into the cache once.
                assertThat(node.lazyStats().lazyImages()).isEqualTo(2);
                assertThat(cache.fills()).isEqualTo(1);
            } else {
                // base image, function layer and snapshot: each fetched once, the second start waited for them
                assertThat(cache.fills()).isEqualTo(3);
                assertThat(cache.coalesced()).isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void aCorruptObjectInTheBucketIsDiscardedAndTheInstanceBootsThenRepublishes() throws Exception {
        String memObject = chunkKey("mem");
        byte[] original = objects.get(memObject);
        byte[] corrupt = original.clone();
        corrupt[corrupt.length / 2] ^= 0x5a;
        objects.put(memObject, corrupt);
        try (NodeRuntime node = wholeFetchNode("victim")) {
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(String.join("\n", instance.start().fallbacks())).contains("discarded");
                assertThat(invoke(instance)).contains("thaw");
            }
            assertThat(node.stats().counters().corruptSnapshots()).isEqualTo(1);
            node.awaitPublications();
            assertThat(node.stats().counters().published()).isEqualTo(1);
        }
        try (NodeRuntime node = node("healed", SnapshotMode.REMOTE, BUDGET, Optional.of(store));
                Instance instance = node.start(hello.elsewhere())) {
            assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
        }
    }

    @Test
    void aTruncatedObjectInTheBucketIsDiscardedAndTheInstanceBoots() throws Exception {
        String stateObject = chunkKey("vmstate");
        byte[] original = objects.get(stateObject);
        objects.put(stateObject, java.util.Arrays.copyOf(original, original.length / 2));
        try (NodeRuntime node = wholeFetchNode("truncated")) {
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(String.join("\n", instance.start().fallbacks())).contains("discarded");
                assertThat(invoke(instance)).contains("thaw");
            }
            assertThat(node.stats().counters().corruptSnapshots()).isEqualTo(1);
            assertThat(node.stats().cache().failedFills()).isEqualTo(1);
            node.awaitPublications();
        }
        // the boot published a good snapshot over the truncated one
        Path check = Files.createDirectories(work.resolve("truncated-check"));
        store.fetchSnapshot(store.findSnapshot("hello", hello.revision()).orElseThrow(), check);
        assertThat(check.resolve("vmstate")).exists();
    }

    /** The object of a non-zero chunk from the middle of the published snapshot's {@code file}. */
    private String chunkKey(String file) throws Exception {
        var entry = store.findSnapshot("hello", hello.revision()).orElseThrow().files().get(file);
        List<String> data = new java.util.ArrayList<>();
        for (int i = 0; i < entry.chunks().size(); i++) {
            if (!dev.thaw.snapshot.store.ChunkTransfer.isZero(entry, i)) {
                data.add(entry.chunks().get(i));
            }
        }
        return dev.thaw.snapshot.store.ChunkTransfer.key(data.get(data.size() / 2));
    }

    @Test
    void aSnapshotFromAnotherQemuIsNotFetchedAndTheInstanceBoots() throws Exception {
        String infoKey = "snapshots/hello/" + hello.revision() + "/info.json";
        byte[] original = objects.get(infoKey);
        String foreign = new String(original, UTF_8).replaceFirst("\"driverVersion\"\\s*:\\s*\"[^\"]+\"",
                "\"driverVersion\" : \"6.0.0\"");
        assertThat(foreign).contains("6.0.0");
        // Signed by a trusted node that runs another QEMU: genuine, and still not usable here.
        objects.put("snapshots/hello/" + hello.revision() + "/info.sig", dev.thaw.snapshot.trust.InfoSignature.sign(
                key, infoKey, foreign.getBytes(UTF_8)).toJson());
        objects.put(infoKey, foreign.getBytes(UTF_8));
        try (NodeRuntime node = node("foreign", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(instance.start().snapshotBytes()).isZero();
                assertThat(String.join("\n", instance.start().fallbacks())).contains("QEMU 6.0.0");
            }
            assertThat(node.stats().counters().incompatibleSnapshots()).isEqualTo(1);
            node.awaitPublications();
        }
        assertThat(store.findSnapshot("hello", hello.revision()).orElseThrow().driverVersion())
                .isEqualTo(driver.info().version());
    }

    @Test
    void aNodeRestartedMidDownloadKeepsNoHalfEntry() throws Exception {
        Path cache = work.resolve("restarted").resolve("cache");
        Path half = cache.resolve("snapshots/hello/" + hello.revision());
        Files.createDirectories(half);
        Files.write(half.resolve("mem"), new byte[4096]);
        Path staging = cache.resolve(".staging/fill-1");
        Files.createDirectories(staging);
        Files.write(staging.resolve("mem"), new byte[4096]);
        try (NodeRuntime node = node("restarted", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            assertThat(node.stats().cached()).isEmpty();
            assertThat(half).doesNotExist();
            assertThat(staging).doesNotExist();
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(invoke(instance)).contains("thaw");
            }
        }
    }

    @Test
    void anUnreachableStoreMeansBootThenLocalCache() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        S3Config nowhere = new S3Config(URI.create("http://127.0.0.1:" + closedPort), "us-east-1", "thaw",
                "key", "secret", true);
        try (S3ObjectStore unreachable = new S3ObjectStore(nowhere);
                NodeRuntime node = node("offline", SnapshotMode.REMOTE, BUDGET,
                        Optional.of(new SnapshotStore(unreachable, dev.thaw.snapshot.trust.NodeKey.generate("offline"))))) {
            try (Instance booted = node.start(hello)) {
                assertThat(booted.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(String.join("\n", booted.start().fallbacks())).contains("127.0.0.1:" + closedPort);
                assertThat(invoke(booted)).contains("thaw");
            }
            try (Instance local = node.start(hello)) {
                assertThat(local.start().tier()).isEqualTo(StartTier.LOCAL);
            }
            node.awaitPublications();
            assertThat(node.stats().counters().storeErrors()).isPositive();
            assertThat(node.stats().counters().publishFailures()).isEqualTo(1);
        }
    }

    @Test
    void aBudgetSmallerThanTheSnapshotIsReportedAndEveryStartBoots() throws Exception {
        try (NodeRuntime node = node("tiny", SnapshotMode.LOCAL, 1 << 20, Optional.empty())) {
            try (Instance instance = node.start(hello)) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
                assertThat(String.join("\n", instance.start().fallbacks())).contains("snapshot not cached")
                        .contains("budget");
                assertThat(invoke(instance)).contains("thaw");
            }
            assertThat(node.stats().counters().cacheRejections()).isEqualTo(1);
            assertThat(node.stats().cached()).isEmpty();
            try (var scratch = Files.list(node.config().scratchDir())) {
                assertThat(scratch).isEmpty();
            }
        }
    }

    @Test
    void disabledModeBootsAndKeepsNothing() throws Exception {
        try (NodeRuntime node = node("plain", SnapshotMode.DISABLED, BUDGET, Optional.empty());
                Instance instance = node.start(hello)) {
            assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
            assertThat(instance.start().snapshotMs()).isZero();
            assertThat(invoke(instance)).contains("thaw");
            assertThat(node.stats().cached()).isEmpty();
        }
    }

    @Test
    void deletingAFunctionRemovesItsSnapshotsFromCacheAndStore(@TempDir Path unused) throws Exception {
        dev.thaw.snapshot.trust.NodeKey deleterKey = dev.thaw.snapshot.trust.NodeKey.generate("deleter");
        try (TestS3 own = TestS3.start();
                S3ObjectStore ownObjects = own.newStore();
                NodeRuntime node = node("deleter", SnapshotMode.REMOTE, BUDGET,
                        Optional.of(new SnapshotStore(ownObjects, deleterKey)))) {
            SnapshotStore ownStore = new SnapshotStore(ownObjects, deleterKey);
            try (Instance instance = node.start(hello)) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
            }
            node.awaitPublications();
            assertThat(ownStore.findSnapshot("hello", hello.revision())).isPresent();
            node.delete("hello");
            assertThat(ownStore.findSnapshot("hello", hello.revision())).isEmpty();
            assertThat(ownObjects.list("snapshots/hello/")).isEmpty();
            assertThat(node.stats().cached()).extracting(e -> e.key()).noneMatch(k -> k.startsWith("snapshots/"));
        }
    }

    private NodeRuntime node(String name, SnapshotMode mode, long budget, Optional<SnapshotStore> withStore)
            throws Exception {
        return NodeRuntime.open(new NodeConfig(name, mode, work.resolve(name), budget, 0), driver, withStore);
    }

    /** A node whose remote starts fetch whole snapshots before restoring (as where FUSE is unavailable). */
    private NodeRuntime wholeFetchNode(String name) throws Exception {
        return NodeRuntime.open(new NodeConfig(name, SnapshotMode.REMOTE, work.resolve(name), BUDGET, 0), driver,
                Optional.of(store), false);
    }

    @Test
    void aLazyRemoteStartRestoresAtOnceAndFetchesMemoryOnFirstTouch() throws Exception {
        SnapshotInfo info = store.findSnapshot("hello", hello.revision()).orElseThrow();
        long stored = store.storedBytes(info);
        List<Integer> touched = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (NodeRuntime node = node("lazy", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            assertThat(node.lazyStats().available()).as("FUSE is available here").isTrue();
            node.setChunkAccessListeners(snapshot -> (file, index) -> touched.add(index));
            try (Instance instance = node.start(hello.elsewhere())) {
                StartRecord record = instance.start();
                assertThat(record.tier()).isEqualTo(StartTier.REMOTE);
                assertThat(record.fallbacks()).isEmpty();
                assertThat(invoke(instance)).contains("thaw");
                long atFirstResponse = instance.fetchedBytesAtFirstResponse().orElseThrow();
                System.out.printf("lazy start: %d of %d stored bytes fetched up to the first response%n",
                        atFirstResponse, stored);
                assertThat(atFirstResponse).isPositive().isLessThanOrEqualTo(stored);
                assertThat(touched).isNotEmpty().doesNotHaveDuplicates();
                assertThat(node.presence().presentBytes("hello", hello.revision())).isPositive()
                        .isLessThanOrEqualTo(node.presence().totalBytes("hello", hello.revision()));
            }
            assertThat(node.lazyStats().lazyStarts()).isEqualTo(1);
            assertThat(node.lazyStats().faults()).isZero();
            assertThat(node.lazyStats().chunks().misses()).isPositive();
            node.awaitPublications();
            assertThat(node.presence().presentBytes("hello", hello.revision()))
                    .isEqualTo(node.presence().totalBytes("hello", hello.revision())).isPositive();
            try (Instance local = node.start(hello.elsewhere())) {
                assertThat(local.start().tier()).isEqualTo(StartTier.LOCAL);
                assertThat(invoke(local)).contains("thaw");
            }
            try (var scratch = Files.list(node.config().scratchDir())) {
                assertThat(scratch).as("the lazy start's directory is gone with its instance").isEmpty();
            }
        }
        assertThat(mounted(work.resolve("lazy").resolve("lazy"))).as("no FUSE mount outlives its node").isFalse();
    }

    @Test
    void aSmallBudgetHoldsACachedSnapshotAndLazilyFetchedChunksTogether() throws Exception {
        long entryBytes;
        long chunkBytes;
        try (NodeRuntime node = node("budget", SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
            assertThat(node.lazyStats().available()).as("FUSE is available here").isTrue();
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(invoke(instance)).contains("thaw");
            }
            node.awaitPublications(); // the snapshot is completed into the cache, from chunks and the store
            NodeStats stats = node.stats();
            assertThat(stats.cached()).extracting(e -> e.key()).contains("snapshots/hello/" + hello.revision());
            entryBytes = stats.disk().byCache().get(dev.thaw.snapshot.cache.NodeCache.BUDGET_NAME);
            chunkBytes = stats.disk().byCache().get(dev.thaw.snapshot.lazy.ChunkCache.BUDGET_NAME);
            assertThat(stats.disk().usedBytes()).isEqualTo(entryBytes + chunkBytes);
            assertThat(stats.disk().budgetBytes()).isEqualTo(BUDGET);
            assertThat(entryBytes).isEqualTo(stats.cache().bytesUsed());
            assertThat(chunkBytes).isEqualTo(node.lazyStats().chunks().usedBytes()).isPositive();
            System.out.printf("budget: the whole snapshot and images hold %d bytes, the chunk cache %d bytes,"
                    + " %d on disk%n", entryBytes, chunkBytes, cacheBytesOnDisk(node));
        }

        // The same disk under a budget that holds the snapshot and half the chunks: the chunks give way first.
        long small = entryBytes + chunkBytes / 2;
        try (NodeRuntime node = node("budget", SnapshotMode.REMOTE, small, Optional.of(store))) {
            NodeStats opened = node.stats();
            assertThat(opened.disk().usedBytes()).isLessThanOrEqualTo(small);
            assertThat(opened.disk().byCache()).containsEntry(dev.thaw.snapshot.cache.NodeCache.BUDGET_NAME,
                    entryBytes);
            assertThat(opened.cached()).extracting(e -> e.key()).contains("snapshots/hello/" + hello.revision());
            assertThat(node.lazyStats().chunks().evictions()).isPositive();

            // Its images are read on first touch again: chunks evicted at open are fetched into the full budget.
            try (Instance local = node.start(hello.elsewhere())) {
                assertThat(local.start().tier()).isIn(StartTier.LOCAL, StartTier.CLONE);
                assertThat(invoke(local)).contains("thaw");
                assertThat(node.stats().disk().usedBytes()).isLessThanOrEqualTo(small);
            }
            NodeStats after = node.stats();
            long onDisk = cacheBytesOnDisk(node);
            System.out.printf("budget of %d bytes: %d used (%s), %d on disk, %d chunk evictions%n", small,
                    after.disk().usedBytes(), after.disk().byCache(), onDisk, node.lazyStats().chunks().evictions());
            assertThat(after.disk().usedBytes()).isLessThanOrEqualTo(small);
            assertThat(onDisk).as("chunk files and cache entries on disk").isLessThanOrEqualTo(small);
            var wire = dev.thaw.node.service.WireViews.cache(after.cache(), after.disk());
            assertThat(wire.budgetBytes()).isEqualTo(small);
            assertThat(wire.budgetBytesUsed()).isEqualTo(after.disk().usedBytes());
            assertThat(wire.chunkBytes()).isEqualTo(after.disk().byCache().get("chunks"));
        }
    }

    /** Bytes of the node's chunk files and cached snapshot and image files (not their small metadata). */
    private static long cacheBytesOnDisk(NodeRuntime node) throws Exception {
        long bytes = 0;
        for (Path dir : List.of(node.config().cacheDir(), node.config().workDir().resolve("chunks"))) {
            try (var files = Files.walk(dir)) {
                bytes += files.filter(Files::isRegularFile).filter(f -> {
                    String name = f.getFileName().toString();
                    return !name.equals(SnapshotInfo.FILE_NAME) && !name.startsWith(".thaw")
                            && !name.equals("info.sig");
                }).mapToLong(f -> f.toFile().length()).sum();
            }
        }
        return bytes;
    }

    @Test
    void aLazyStartWhoseMemoryChunksAreCorruptFailsCleanlyAndBoots() throws Exception {
        lazyStartFails("corrupt", objectKey -> {
            byte[] bad = objects.get(objectKey);
            bad[bad.length / 2] ^= 0x5a;
            objects.put(objectKey, bad);
        }, "discarded");
    }

    @Test
    void aLazyStartWhoseManifestNamesChunksTheStoreLacksFailsCleanlyAndBoots() throws Exception {
        lazyStartFails("lacking", objects::delete, "missing");
    }

    @Test
    void aLazyStartWhoseStoreDisappearsMidRestoreFailsCleanlyAndBoots() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        S3Config nowhere = new S3Config(URI.create("http://127.0.0.1:" + closedPort), "us-east-1", "thaw",
                "key", "secret", true);
        SnapshotInfo info = store.findSnapshot("hello", hello.revision()).orElseThrow();
        java.util.Set<String> memChunks = new java.util.HashSet<>();
        info.files().get("mem").chunks().forEach(d -> memChunks.add(dev.thaw.snapshot.store.ChunkTransfer.key(d)));
        try (S3ObjectStore unreachable = new S3ObjectStore(nowhere)) {
            // The manifest and device state come from the store; then it is gone, as the guest's memory is read.
            dev.thaw.snapshot.store.ObjectStore vanishing = new ForwardingStore(objects) {
                @Override
                public byte[] get(String key) throws dev.thaw.snapshot.store.StoreException {
                    return memChunks.contains(key) ? unreachable.get(key) : super.get(key);
                }
            };
            try (NodeRuntime node = NodeRuntime.open(new NodeConfig("vanishing", SnapshotMode.REMOTE,
                    work.resolve("vanishing"), BUDGET, 0), driver, Optional.of(new SnapshotStore(vanishing, key)))) {
                try (Instance instance = node.start(hello.elsewhere())) {
                    assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
                    assertThat(String.join("\n", instance.start().fallbacks())).contains("restore failed")
                            .contains("remote store");
                    assertThat(invoke(instance)).contains("thaw");
                }
                assertThat(node.lazyStats().faults()).isEqualTo(1);
                assertThat(node.stats().counters().storeErrors()).isPositive();
                node.awaitPublications();
            }
        }
        assertThat(mounted(work.resolve("vanishing").resolve("lazy"))).isFalse();
    }

    /** Spoils every non-zero memory chunk object with {@code spoil}; a lazy start must fail and boot. */
    private void lazyStartFails(String name, StoreAction spoil, String why) throws Exception {
        SnapshotInfo info = store.findSnapshot("hello", hello.revision()).orElseThrow();
        var mem = info.files().get("mem");
        java.util.Map<String, byte[]> originals = new java.util.HashMap<>();
        for (int i = 0; i < mem.chunks().size(); i++) {
            if (!dev.thaw.snapshot.store.ChunkTransfer.isZero(mem, i)) {
                String objectKey = dev.thaw.snapshot.store.ChunkTransfer.key(mem.chunks().get(i));
                originals.computeIfAbsent(objectKey, k -> {
                    try {
                        return objects.get(k);
                    } catch (dev.thaw.snapshot.store.StoreException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        try {
            for (String objectKey : originals.keySet()) {
                spoil.apply(objectKey);
            }
            try (NodeRuntime node = node(name, SnapshotMode.REMOTE, BUDGET, Optional.of(store))) {
                try (Instance instance = node.start(hello.elsewhere())) {
                    assertThat(instance.start().tier()).isEqualTo(StartTier.BOOT);
                    assertThat(String.join("\n", instance.start().fallbacks())).contains("restore failed")
                            .contains(why);
                    assertThat(invoke(instance)).contains("thaw");
                }
                assertThat(node.lazyStats().faults()).isEqualTo(1);
                assertThat(node.stats().counters().corruptSnapshots()).isEqualTo(1);
                node.awaitPublications();
            }
            assertThat(mounted(work.resolve(name).resolve("lazy"))).isFalse();
        } finally {
            for (var e : originals.entrySet()) {
                objects.put(e.getKey(), e.getValue());
            }
        }
    }

    @FunctionalInterface
    private interface StoreAction {
        void apply(String objectKey) throws Exception;
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
