package dev.thaw.snapshot.store;

import static dev.thaw.snapshot.store.Bundles.MIB;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.workingset.DirectoryChunkSink;
import dev.thaw.snapshot.workingset.WorkingSet;
import dev.thaw.snapshot.workingset.WorkingSetStore;
import dev.thaw.snapshot.workingset.WorkingSetCounters;
import dev.thaw.snapshot.workingset.WorkingSetException;
import dev.thaw.snapshot.workingset.WorkingSetException.Reason;
import dev.thaw.snapshot.workingset.WorkingSetLoader;
import dev.thaw.snapshot.workingset.WorkingSetPrefetch;
import dev.thaw.snapshot.workingset.WorkingSetRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Working sets published beside a snapshot and prefetched from it, through a real S3 server
 * over HTTP: the round trip, and each kind of bad list, which is refused, counted, and leaves the
 * snapshot usable without it.
 */
class WorkingSetStoreTest {
    private static final NodeKey KEY = NodeKey.generate("node-a");
    private static final NodeKey STRANGER = NodeKey.generate("node-a"); // claims the same name
    private static final TrustedSigners TRUSTED = KEY.alone();
    private static final String SET_KEY = "snapshots/hello/r1/" + WorkingSet.FILE_NAME;
    private static final String SIG_KEY = "snapshots/hello/r1/" + WorkingSet.SIGNATURE_FILE_NAME;

    @TempDir
    Path tmp;

    private TestS3 s3;
    private S3ObjectStore objects;
    private SnapshotStore store;
    private SnapshotInfo info;
    private final WorkingSetCounters counters = new WorkingSetCounters();

    @BeforeEach
    void start() throws Exception {
        s3 = TestS3.start();
        objects = s3.newStore();
        store = new SnapshotStore(objects, KEY);
        // 16 MiB of mem: chunks 0, 1, 8, 9 and 15 hold data, the rest are zero.
        info = Bundles.sparseSnapshot(tmp.resolve("snap"), "hello", "r1", 16, 11);
        store.publishSnapshot(tmp.resolve("snap"), info);
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
    }

    @Test
    void aRecordedSetIsPublishedSignedAndPrefetchesOnlyItsNonZeroChunksInParallel() throws Exception {
        WorkingSetRecorder recorder = new WorkingSetRecorder(info, "mem");
        recorder.touched("mem", 8);
        recorder.touched("vmstate", 0); // another file: not recorded
        recorder.touched("mem", 3); // a zero chunk: recorded, never fetched
        recorder.touched("mem", 8); // again: recorded once
        recorder.touched("mem", 0);
        WorkingSet set = recorder.finish("node-a").orElseThrow();
        recorder.touched("mem", 15); // after the first response: not recorded
        assertThat(set.chunks()).containsExactly(8, 3, 0);
        assertThat(set.dataBytes(info)).isEqualTo(2L * MIB);

        new WorkingSetStore(store).publish(set);
        WorkingSet found = new WorkingSetLoader(store, counters).load(info, TRUSTED).orElseThrow();
        assertThat(found).isEqualTo(set);

        DirectoryChunkSink sink = new DirectoryChunkSink(tmp.resolve("cache"));
        WorkingSetPrefetch.Report report = new WorkingSetPrefetch(store, 4).prefetch(info, found, sink);
        assertThat(report.chunks()).isEqualTo(2);
        assertThat(report.fetched()).isEqualTo(2);
        assertThat(report.rawBytes()).isEqualTo(2L * MIB);
        SnapshotInfo.FileEntry mem = info.files().get("mem");
        // Exactly the two chunk objects, of a snapshot that stores more.
        assertThat(report.fetchedBytes()).isEqualTo(objects.size(ChunkTransfer.key(mem.chunks().get(8))).orElseThrow()
                + objects.size(ChunkTransfer.key(mem.chunks().get(0))).orElseThrow())
                .isLessThan(store.storedBytes(info));
        try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(mem.chunks().get(8), mem.chunks().get(0));
        }
        byte[] chunk8 = Files.readAllBytes(sink.file(mem.chunks().get(8)));
        assertThat(FileDigests.sha256Hex(java.nio.ByteBuffer.wrap(chunk8))).isEqualTo(mem.chunks().get(8));

        // A second prefetch into the same place fetches nothing.
        WorkingSetPrefetch.Report again = new WorkingSetPrefetch(store, 4).prefetch(info, found, sink);
        assertThat(again.fetched()).isZero();
        assertThat(again.chunks()).isEqualTo(2);
        assertThat(again.fetchedBytes()).isZero();
    }

    @Test
    void aTamperedChunkFailsThePrefetchNamingIt() throws Exception {
        WorkingSet set = WorkingSet.of(info, "mem", List.of(1), "node-a");
        String digest = info.files().get("mem").chunks().get(1);
        byte[] other = new byte[MIB];
        other[7] = 1;
        objects.put(ChunkTransfer.key(digest), com.github.luben.zstd.Zstd.compress(other));
        assertThatThrownBy(() -> new WorkingSetPrefetch(store, 2).prefetch(info, set,
                        new DirectoryChunkSink(tmp.resolve("cache"))))
                .isInstanceOf(CorruptBundleException.class)
                .hasMessageContaining("chunk 1 of mem of snapshots/hello/r1/")
                .hasMessageContaining("does not match its SHA-256");
        try (Stream<Path> files = Files.list(tmp.resolve("cache"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void noPublishedSetIsNoSetAndNothingIsCounted() {
        assertThat(new WorkingSetLoader(store, counters).load(info, TRUSTED)).isEmpty();
        assertThat(counters.snapshot().entrySet().stream().filter(e -> e.getKey().startsWith("refused"))
                .mapToLong(java.util.Map.Entry::getValue).sum()).isZero();
    }

    @Test
    void anUnsignedSetIsRefused() throws Exception {
        new WorkingSetStore(store).publish(WorkingSet.of(info, "mem", List.of(0, 1), "node-a"));
        objects.delete(SIG_KEY);
        assertRefused(Reason.UNSIGNED, "has no signature working-set.sig");
    }

    @Test
    void aSetChangedAfterSigningIsRefused() throws Exception {
        new WorkingSetStore(store).publish(WorkingSet.of(info, "mem", List.of(0, 1), "node-a"));
        objects.put(SET_KEY, WorkingSet.of(info, "mem", List.of(0, 1, 8), "node-a").toJson());
        assertRefused(Reason.BAD_SIGNATURE, "does not match its content");
    }

    @Test
    void aSignatureCopiedFromTheManifestDoesNotCoverTheSet() throws Exception {
        new WorkingSetStore(store).publish(WorkingSet.of(info, "mem", List.of(0, 1), "node-a"));
        objects.put(SIG_KEY, objects.get("snapshots/hello/r1/" + InfoSignature.FILE_NAME));
        assertRefused(Reason.BAD_SIGNATURE, "does not match its content");
    }

    @Test
    void aSetSignedByAnUntrustedKeyIsRefused() throws Exception {
        new WorkingSetStore(new SnapshotStore(objects, STRANGER)).publish(WorkingSet.of(info, "mem", List.of(0, 1), "node-a"));
        assertRefused(Reason.UNTRUSTED_SIGNER, "may not publish it");
    }

    @Test
    void aSetLargerThanTheBoundIsRefusedUnread() throws Exception {
        byte[] huge = new byte[WorkingSet.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        objects.put(SET_KEY, huge);
        signAs(KEY, huge);
        assertRefused(Reason.TOO_LARGE, "more than " + WorkingSet.MAX_BYTES);
    }

    @Test
    void aSetNamingMoreChunksThanTheBoundIsRefused() throws Exception {
        StringBuilder json = new StringBuilder("{\"formatVersion\":2,\"chunks\":[");
        for (int i = 0; i <= WorkingSet.MAX_CHUNKS; i++) {
            json.append(i == 0 ? "" : ",").append(0);
        }
        byte[] bytes = json.append("]}").toString().getBytes(UTF_8);
        signedPut(bytes);
        assertRefused(Reason.TOO_LARGE, "names " + (WorkingSet.MAX_CHUNKS + 1) + " chunks");
    }

    @Test
    void aSetOfAnotherFormatVersionIsRefusedNamingIt() throws Exception {
        signedPut("{\"formatVersion\":7,\"ranges\":[[0,4096]]}\n".getBytes(UTF_8));
        assertRefused(Reason.FORMAT, "is of format version 7; this Thaw reads format version 2 only");
        // A set of format 1 (no page pack) is refused the same way; the next lazy start records a new one.
        signedPut(new String(WorkingSet.of(info, "mem", List.of(0), "node-a").toJson(), UTF_8)
                .replace("\"formatVersion\":2", "\"formatVersion\":1").getBytes(UTF_8));
        assertRefused(Reason.FORMAT, "is of format version 1; this Thaw reads format version 2 only");
        signedPut("not json".getBytes(UTF_8));
        assertRefused(Reason.FORMAT, "is not JSON");
        signedPut(new String(WorkingSet.of(info, "mem", List.of(0), "node-a").toJson(), UTF_8)
                .replace("\"node\"", "\"extra\":1,\"node\"").getBytes(UTF_8));
        assertRefused(Reason.FORMAT, "Unrecognized field \"extra\"");
        signedPut("{\"formatVersion\":2,\"function\":\"hello\",\"revision\":\"r1\",\"file\":\"mem\",\"fileSha256\":\"x\",\"chunkSize\":1,\"chunks\":[0,null],\"node\":\"n\"}".getBytes(UTF_8));
        assertRefused(Reason.FORMAT, "is not a working set");
    }

    @Test
    void aSetNamingChunksOutsideTheSnapshotIsRefused() throws Exception {
        SnapshotInfo.FileEntry mem = info.files().get("mem");
        WorkingSet good = WorkingSet.of(info, "mem", List.of(0), "node-a");
        signedPut(withChunks(good, List.of(0, 16)).toJson());
        assertRefused(Reason.OUTSIDE, "entry 1 names chunk 16 of 'mem', which has chunks 0 to 15");
        signedPut(withChunks(good, List.of(-1)).toJson());
        assertRefused(Reason.OUTSIDE, "names chunk -1");
        signedPut(withChunks(good, List.of(1, 1)).toJson());
        assertRefused(Reason.OUTSIDE, "a second time");
        signedPut(new WorkingSet(WorkingSet.FORMAT_VERSION, "hello", "r1", "disk", mem.sha256(), mem.chunkSize(), List.of(0),
                "n").toJson());
        assertRefused(Reason.OUTSIDE, "names file 'disk'");
        signedPut(new WorkingSet(WorkingSet.FORMAT_VERSION, "other", "r1", "mem", mem.sha256(), mem.chunkSize(), List.of(0),
                "n").toJson());
        assertRefused(Reason.OUTSIDE, "is for function 'other'");
        assertThat(counters.refusedCount(Reason.OUTSIDE)).isEqualTo(5);
    }

    @Test
    void aSetRecordedForAnOlderSnapshotOfTheRevisionIsRefused() throws Exception {
        WorkingSet old = WorkingSet.of(info, "mem", List.of(0), "node-a");
        SnapshotInfo newer = Bundles.sparseSnapshot(tmp.resolve("newer"), "hello", "r1", 16, 12);
        // Publishing the snapshot again removes the old set ...
        new WorkingSetStore(store).publish(old);
        store.publishSnapshot(tmp.resolve("newer"), newer);
        assertThat(objects.size(SET_KEY)).isEmpty();
        // ... and one put back by hand (or left by a race) does not match the new manifest.
        new WorkingSetStore(store).publish(old);
        info = newer;
        assertRefused(Reason.OUTSIDE, "was recorded for another snapshot of the revision");
    }

    /** The set is refused with {@code reason}, counted, and the snapshot itself still fetches. */
    private void assertRefused(Reason reason, String message) throws Exception {
        assertThatThrownBy(() -> new WorkingSetStore(store).find(info, TRUSTED))
                .isInstanceOfSatisfying(WorkingSetException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
        long before = counters.refusedCount(reason);
        assertThat(new WorkingSetLoader(store, counters).load(info, TRUSTED)).isEmpty();
        assertThat(counters.refusedCount(reason)).isEqualTo(before + 1);
        Path target = tmp.resolve("fetched-" + System.nanoTime());
        store.fetchSnapshot(info, target);
        assertThat(FileDigests.sha256Hex(target.resolve("mem"))).isEqualTo(info.files().get("mem").sha256());
    }

    private static WorkingSet withChunks(WorkingSet set, List<Integer> chunks) {
        return new WorkingSet(set.formatVersion(), set.function(), set.revision(), set.file(), set.fileSha256(),
                set.chunkSize(), chunks, set.node());
    }

    private void signedPut(byte[] json) throws Exception {
        objects.put(SET_KEY, json);
        signAs(KEY, json);
    }

    private void signAs(NodeKey key, byte[] json) throws Exception {
        objects.put(SIG_KEY, InfoSignature.sign(key, SET_KEY, json).toJson());
    }
}
