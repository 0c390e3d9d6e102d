package dev.thaw.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.sandbox.testing.NoLeakedVmsExtension;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.workingset.PagePackBuilder;
import dev.thaw.snapshot.workingset.PageRange;
import dev.thaw.snapshot.workingset.WorkingSet;
import dev.thaw.snapshot.workingset.WorkingSetStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Working sets on real guests, a real S3 server and the node's FUSE-presented memory: the first
 * lazy start of a revision records and publishes the chunks its guest read until the first
 * response, the next lazy start prefetches them, a start that misses its page pack grows it, and a bad
 * published set is counted and ignored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoLeakedVmsExtension.class)
class WorkingSetNodeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long BUDGET = 4L << 30;

    private final NodeKey key = NodeKey.generate("origin");
    private QemuMicrovmDriver driver;
    private TestS3 s3;
    private S3ObjectStore objects;
    private SnapshotStore store;
    private FunctionDeployment hello;
    private SnapshotInfo info;
    private Path work;

    @BeforeAll
    void publishHello() throws Exception {
        driver = TestGuests.driver();
        s3 = TestS3.start();
        objects = s3.newStore();
        // One key for every node of this class: each trusts what the others published.
        store = new SnapshotStore(objects, key);
        hello = new FunctionDeployment(TestGuests.spec(TestGuests.example("hello")), true);
        work = Files.createTempDirectory("thaw-ws-test");
        try (NodeRuntime origin = node("origin")) {
            origin.deploy(hello);
            try (Instance first = origin.start(hello)) {
                assertThat(first.start().tier()).isEqualTo(StartTier.BOOT);
                invoke(first);
            }
            origin.awaitPublications();
        }
        info = store.findSnapshot(hello.function(), hello.revision()).orElseThrow();
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
    void theFirstLazyStartRecordsItsWorkingSetAndTheNextPrefetchesIt() throws Exception {
        deletePublishedSet();
        WorkingSet set;
        long firstFetched;
        try (NodeRuntime recorder = node("recorder")) {
            assumeThat(recorder.lazyStats().available()).as("FUSE available for lazy restore").isTrue();
            try (Instance instance = recorder.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                invoke(instance);
                firstFetched = instance.fetchedBytesAtFirstResponse().orElseThrow();
            }
            await(() -> recorder.workingSetCounters().get("published") == 1, "the working set to be published");
            assertThat(recorder.workingSetCounters()).containsEntry("recorded", 1L).containsEntry("prefetches", 0L)
                    .containsEntry("packsPublished", 1L);
            set = new WorkingSetStore(store).find(info, key.alone()).orElseThrow();
        }
        SnapshotInfo.FileEntry mem = info.files().get("mem");
        assertThat(set.file()).isEqualTo("mem");
        assertThat(set.fileSha256()).isEqualTo(mem.sha256());
        assertThat(set.chunks()).isNotEmpty().doesNotHaveDuplicates();
        long nonZero = 0;
        for (int i = 0; i < mem.chunks().size(); i++) {
            nonZero += dev.thaw.snapshot.store.ChunkTransfer.isZero(mem, i) ? 0 : mem.chunkLength(i);
        }
        assertThat(set.dataBytes(info)).isPositive().isLessThanOrEqualTo(nonZero);

        // The pages the guest read, packed: whole pages inside the memory file, fewer bytes than its data.
        assertThat(set.pack()).isNotNull();
        assertThat(set.pack().ranges()).isNotEmpty();
        assertThat(set.pack().rawBytes()).isPositive().isLessThan(nonZero);
        assertThat(objects.size("snapshots/" + hello.function() + "/" + hello.revision() + "/"
                + dev.thaw.snapshot.workingset.PagePack.FILE_NAME)).hasValue(set.pack().storedBytes());

        try (NodeRuntime user = node("user")) {
            try (Instance instance = user.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                invoke(instance);
                Map<String, Long> counters = user.workingSetCounters();
                // The pack came in one GET instead of the set's chunks, and served the guest's reads.
                assertThat(counters).containsEntry("packsLoaded", 1L).containsEntry("prefetches", 0L)
                        .containsEntry("recorded", 0L).containsEntry("packFetchedBytes", set.pack().storedBytes())
                        .containsEntry("packsHeld", 1L);
                assertThat(counters.get("packReads")).isPositive();
                // What the pack's GET read is part of what this start fetched, and it fetched less than the first.
                long fetched = instance.fetchedBytesAtFirstResponse().orElseThrow();
                assertThat(fetched).isGreaterThanOrEqualTo(set.pack().storedBytes()).isLessThan(firstFetched);
            }
            // No instance presents the revision any more: its pack is released.
            assertThat(user.workingSetCounters()).containsEntry("packsHeld", 0L);
        }
    }

    @Test
    void aStartThatMissesItsPackGrowsItAndTheNextStartIsServedFromIt() throws Exception {
        deletePublishedSet();
        try (NodeRuntime recorder = node("grow-recorder")) {
            assumeThat(recorder.lazyStats().available()).as("FUSE available for lazy restore").isTrue();
            try (Instance instance = recorder.start(hello.elsewhere())) {
                invoke(instance);
            }
            await(() -> recorder.workingSetCounters().get("packsPublished") == 1, "the page pack to be published");
        }
        // A pack that lacks three quarters of the recorded ranges, as one recorded by a start that read
        // fewer pages than later ones do.
        WorkingSetStore sets = new WorkingSetStore(store);
        WorkingSet recorded = sets.find(info, key.alone()).orElseThrow();
        List<PageRange> ranges = recorded.pack().ranges();
        List<PageRange> kept = java.util.stream.IntStream.range(0, ranges.size()).filter(i -> i % 4 == 0)
                .mapToObj(ranges::get).toList();
        PagePackBuilder.Built trimmed = PagePackBuilder.extend(info.files().get("mem"), sets.fetchPack(recorded), kept,
                index -> {
                    throw new AssertionError("every kept page is in the recorded pack");
                });
        sets.publish(recorded.withPack(trimmed.pack()), trimmed.object());

        try (NodeRuntime node = node("grower")) {
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                invoke(instance);
            }
            Map<String, Long> first = node.workingSetCounters();
            long firstReads = first.get("packReads") + first.get("packMisses");
            assertThat(first.get("packMisses")).as("reads the trimmed pack lacks")
                    .isGreaterThan(firstReads / 2).isGreaterThanOrEqualTo(WorkingSets.GROW_MIN_PAGES);
            await(() -> node.workingSetCounters().get("packsGrown") == 1, "the grown pack to be published");
            assertThat(node.workingSetCounters()).containsEntry("packsGrowing", 0L).containsEntry("recorded", 0L);
            WorkingSet grown = sets.find(info, key.alone()).orElseThrow();
            assertThat(grown.pack().rawBytes()).isEqualTo(trimmed.pack().rawBytes()
                    + node.workingSetCounters().get("packGrownBytes"));
            assertThat(grown.chunks()).containsAll(recorded.chunks());

            node.evictSnapshot(hello.elsewhere());
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                invoke(instance);
            }
            Map<String, Long> second = node.workingSetCounters();
            assertThat(second).containsEntry("packsLoaded", 2L);
            long served = second.get("packReads") - first.get("packReads");
            long missed = second.get("packMisses") - first.get("packMisses");
            // Nearly all from the grown pack: a guest reads a few pages more on some starts than on others.
            assertThat(served).as("reads served from the grown pack").isPositive();
            assertThat(missed).as("reads the grown pack lacked, of %d", served + missed)
                    .isLessThan((served + missed) / 5);
        }
    }

    @Test
    void aCorruptPagePackIsRefusedCountedAndTheStartStillAnswersFromChunks() throws Exception {
        deletePublishedSet();
        try (NodeRuntime recorder = node("pack-recorder")) {
            assumeThat(recorder.lazyStats().available()).as("FUSE available for lazy restore").isTrue();
            try (Instance instance = recorder.start(hello.elsewhere())) {
                invoke(instance);
            }
            await(() -> recorder.workingSetCounters().get("packsPublished") == 1, "the page pack to be published");
        }
        String packKey = "snapshots/" + hello.function() + "/" + hello.revision() + "/"
                + dev.thaw.snapshot.workingset.PagePack.FILE_NAME;
        byte[] pack = objects.get(packKey);
        pack[pack.length / 2] ^= 0x40;
        objects.put(packKey, pack);
        try (NodeRuntime node = node("bad-pack")) {
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(instance.start().fallbacks()).isEmpty();
                invoke(instance);
            }
            Map<String, Long> counters = node.workingSetCounters();
            assertThat(counters).containsEntry("refused{pack_mismatch}", 1L).containsEntry("packsLoaded", 0L)
                    .containsEntry("packReads", 0L).containsEntry("packsHeld", 0L);
            // Without its pack, the start prefetched the set's chunks instead.
            await(() -> node.workingSetCounters().get("prefetches") == 1, "the chunk prefetch to finish");
        }
    }

    @Test
    void aPublishedSetNamingChunksOutsideTheSnapshotIsCountedIgnoredAndRecordedAgain() throws Exception {
        int chunks = info.files().get("mem").chunks().size();
        SnapshotInfo.FileEntry mem = info.files().get("mem");
        new WorkingSetStore(store).publish(new WorkingSet(WorkingSet.FORMAT_VERSION, hello.function(), hello.revision(), "mem",
                mem.sha256(), mem.chunkSize(), List.of(0, chunks + 5), "origin"));
        try (NodeRuntime node = node("bad-set")) {
            assumeThat(node.lazyStats().available()).as("FUSE available for lazy restore").isTrue();
            try (Instance instance = node.start(hello.elsewhere())) {
                assertThat(instance.start().tier()).isEqualTo(StartTier.REMOTE);
                assertThat(instance.start().fallbacks()).isEmpty();
                invoke(instance);
            }
            assertThat(node.workingSetCounters()).containsEntry("refused{outside}", 1L).containsEntry("prefetches", 0L);
            // The start recorded a good set and published it over the bad one.
            await(() -> node.workingSetCounters().get("published") == 1, "a good working set to be published");
        }
        assertThat(new WorkingSetStore(store).find(info, key.alone()).orElseThrow().chunks()).allMatch(i -> i < chunks);
    }

    private void deletePublishedSet() throws Exception {
        String prefix = "snapshots/" + hello.function() + "/" + hello.revision() + "/";
        objects.delete(prefix + WorkingSet.FILE_NAME);
        objects.delete(prefix + WorkingSet.SIGNATURE_FILE_NAME);
    }

    private NodeRuntime node(String name) throws Exception {
        return NodeRuntime.open(new NodeConfig(name, SnapshotMode.REMOTE, work.resolve(name), BUDGET, 0), driver,
                Optional.of(store));
    }

    /** Polls {@code condition} for at most 20 s. */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    private static void invoke(Instance instance) throws Exception {
        InvocationResult result = instance.invoke("{\"name\":\"thaw\"}".getBytes(UTF_8), TIMEOUT);
        assertThat(result.outcome()).isEqualTo(InvocationResult.Outcome.OK);
        assertThat(new String(result.body(), UTF_8)).contains("thaw");
    }
}
