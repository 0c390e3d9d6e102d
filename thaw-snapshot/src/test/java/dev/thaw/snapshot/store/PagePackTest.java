package dev.thaw.snapshot.store;

import static dev.thaw.snapshot.store.Bundles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.testing.TestS3;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.workingset.LoadedPack;
import dev.thaw.snapshot.workingset.PagePack;
import dev.thaw.snapshot.workingset.PagePackBuilder;
import dev.thaw.snapshot.workingset.PageRange;
import dev.thaw.snapshot.workingset.WorkingSet;
import dev.thaw.snapshot.workingset.WorkingSetException;
import dev.thaw.snapshot.workingset.WorkingSetException.Reason;
import dev.thaw.snapshot.workingset.WorkingSetRecorder;
import dev.thaw.snapshot.workingset.WorkingSetStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Page packs through a real S3 server: the pages a restore read are recorded, packed from verified
 * chunks, published with the signed working set, fetched in one GET and served; a pack that does not
 * match what the signed set says, and a set whose ranges are not a valid pack, are refused by reason.
 */
class PagePackTest {
    private static final NodeKey KEY = NodeKey.generate("node-a");
    private static final TrustedSigners TRUSTED = KEY.alone();
    private static final String PACK_KEY = "snapshots/hello/r1/" + PagePack.FILE_NAME;

    @TempDir
    Path tmp;

    private TestS3 s3;
    private S3ObjectStore objects;
    private SnapshotStore store;
    private SnapshotInfo info;
    private byte[] mem;

    @BeforeEach
    void start() throws Exception {
        s3 = TestS3.start();
        objects = s3.newStore();
        store = new SnapshotStore(objects, KEY);
        // 16 MiB of mem: chunks 0, 1, 8, 9 and 15 hold data, the rest are zero.
        info = Bundles.sparseSnapshot(tmp.resolve("snap"), "hello", "r1", 16, 11);
        store.publishSnapshot(tmp.resolve("snap"), info);
        mem = Files.readAllBytes(tmp.resolve("snap").resolve("mem"));
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
    }

    @Test
    void theRecorderKeepsWholePagesMergedAndSorted() {
        WorkingSetRecorder recorder = new WorkingSetRecorder(info, "mem");
        recorder.read("mem", 8 * MIB + 100, 10); // one page
        recorder.read("mem", 4096, 8192); // pages 1-2
        recorder.read("mem", 12_288, 4096); // page 3: joins 1-2
        recorder.read("mem", 0, 1); // page 0: joins 1-3
        recorder.read("mem", 5000, 100); // inside: nothing new
        recorder.read("vmstate", 0, 4096); // another file
        recorder.read("mem", 16L * MIB, 4096); // past the end
        assertThat(recorder.pages()).containsExactly(new PageRange(0, 16_384), new PageRange(8 * MIB, 4096));
        recorder.finish("node-a");
        recorder.read("mem", 2 * MIB, 4096); // after the first response
        assertThat(recorder.pages()).hasSize(2);
    }

    @Test
    void aPackIsPublishedFetchedInOneGetVerifiedAndServesReadsWithinItsPages() throws Exception {
        WorkingSet set = publishPack();
        WorkingSet found = new WorkingSetStore(store).find(info, TRUSTED).orElseThrow();
        assertThat(found.pack()).isEqualTo(set.pack());
        assertThat(found.pack().storedBytes()).isEqualTo(objects.size(PACK_KEY).orElseThrow());

        LoadedPack pack = new WorkingSetStore(store).fetchPack(found);
        assertThat(pack.bytes()).isEqualTo(found.pack().rawBytes());
        // Within the first range, across a chunk boundary (1 MiB), and within a range of zero pages.
        assertReads(pack, MIB - 4096, 8192);
        assertReads(pack, 100, 3000);
        assertReads(pack, 4 * MIB, 4096);
        assertReads(pack, 8 * MIB + 4096, 4096 * 3);
        // Partly outside a range, between ranges, before any: not served, and the target is untouched.
        ByteBuffer target = ByteBuffer.allocate(8192);
        assertThat(pack.read(MIB + 4096, target)).isFalse();
        assertThat(target.position()).isZero();
        assertThat(pack.read(2 * MIB, ByteBuffer.allocate(4096))).isFalse();
        assertThat(pack.read(8 * MIB, ByteBuffer.allocate(4096))).isFalse();
    }

    @Test
    void rangesUniteSortedAndMergedWhereTheyTouch() {
        List<PageRange> pack = List.of(new PageRange(0, 8192), new PageRange(8 * MIB, 4096));
        List<PageRange> read = List.of(new PageRange(4096, 8192), new PageRange(MIB, 4096),
                new PageRange(8 * MIB + 4096, 4096));
        assertThat(PageRange.union(pack, read)).containsExactly(new PageRange(0, 12_288), new PageRange(MIB, 4096),
                new PageRange(8 * MIB, 8192));
        assertThat(PageRange.bytes(PageRange.union(pack, read)) - PageRange.bytes(pack)).isEqualTo(3 * 4096);
        assertThat(PageRange.union(pack, List.of())).isEqualTo(pack);
    }

    @Test
    void aGrownPackTakesThePagesItHadFromItAndOnlyTheOthersFromChunks() throws Exception {
        WorkingSet set = publishPack();
        LoadedPack base = new WorkingSetStore(store).fetchPack(set);
        SnapshotInfo.FileEntry entry = info.files().get("mem");
        // Pages a later start read: two the pack has, one more in chunk 1, two in chunk 9.
        List<PageRange> grown = PageRange.union(set.pack().ranges(), List.of(new PageRange(4096, 8192),
                new PageRange(MIB + 8192, 4096), new PageRange(9 * MIB, 8192)));
        java.util.Set<Integer> read = new java.util.TreeSet<>();
        PagePackBuilder.Built built = PagePackBuilder.extend(entry, base, grown, index -> {
            read.add(index);
            return store.fetchChunk(info, "mem", index, new AtomicLong());
        });
        assertThat(read).as("chunks read for pages the pack lacks").containsExactly(1, 9);
        assertThat(built.pack().rawBytes()).isEqualTo(set.pack().rawBytes() + 3 * 4096);
        // The same bytes as a pack built from chunks alone.
        PagePackBuilder.Built fromChunks = PagePackBuilder.build(entry, grown,
                index -> ChunkTransfer.isZero(entry, index) ? new byte[entry.chunkLength(index)]
                        : store.fetchChunk(info, "mem", index, new AtomicLong()));
        assertThat(built.pack()).isEqualTo(fromChunks.pack());
        new WorkingSetStore(store).publish(set.withPack(built.pack()), built.object());
        LoadedPack loaded = new WorkingSetStore(store).fetchPack(new WorkingSetStore(store).find(info, TRUSTED)
                .orElseThrow());
        assertReads(loaded, MIB + 8192, 4096);
        assertReads(loaded, 9 * MIB, 8192);
        assertReads(loaded, 0, (int) MIB + 4096);
    }

    @Test
    void aPackThatDoesNotMatchItsSignedSetIsRefusedByReason() throws Exception {
        WorkingSet set = publishPack();
        byte[] good = objects.get(PACK_KEY);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 1;
        objects.put(PACK_KEY, flipped);
        assertRefused(set, Reason.PACK_MISMATCH, "SHA-256");

        objects.put(PACK_KEY, Arrays.copyOf(good, good.length - 1));
        assertRefused(set, Reason.PACK_MISMATCH, "bytes");

        objects.put(PACK_KEY, Arrays.copyOf(good, good.length + 10));
        assertRefused(set, Reason.PACK_MISMATCH, "bytes");

        objects.delete(PACK_KEY);
        assertRefused(set, Reason.PACK_MISMATCH, "missing");

        // Signed with a matching digest, but not a zstd frame of the size it names.
        byte[] junk = new byte[200];
        Arrays.fill(junk, (byte) 7);
        PagePack lying = new PagePack(sha256(junk), junk.length, set.pack().rawBytes(), set.pack().ranges());
        new WorkingSetStore(store).publish(set.withPack(lying), junk);
        WorkingSet found = new WorkingSetStore(store).find(info, TRUSTED).orElseThrow();
        assertRefused(found, Reason.PACK_FORMAT, "zstd");
    }

    @Test
    void aSetWhosePackRangesAreNotAValidPackIsRefused() throws Exception {
        WorkingSet set = publishPack();
        String sha = set.pack().sha256();
        long stored = set.pack().storedBytes();
        assertBadRanges(set, new PagePack(sha, stored, 8192, List.of(new PageRange(4096, 4096), new PageRange(0, 4096))),
                Reason.OUTSIDE, "sorted");
        assertBadRanges(set, new PagePack(sha, stored, 12_288, List.of(new PageRange(0, 8192), new PageRange(4096, 4096))),
                Reason.OUTSIDE, "overlap");
        assertBadRanges(set, new PagePack(sha, stored, 8192, List.of(new PageRange(16 * MIB - 4096, 8192))),
                Reason.OUTSIDE, "past the end");
        assertBadRanges(set, new PagePack(sha, stored, 4096, List.of(new PageRange(100, 4096))),
                Reason.OUTSIDE, "whole pages");
        assertBadRanges(set, new PagePack(sha, stored, 99, List.of(new PageRange(0, 4096))), Reason.FORMAT, "add up");
        assertBadRanges(set, new PagePack(sha, stored, PagePack.MAX_RAW_BYTES + 4096,
                List.of(new PageRange(0, PagePack.MAX_RAW_BYTES + 4096))), Reason.TOO_LARGE, "holds");
    }

    private void assertBadRanges(WorkingSet set, PagePack pack, Reason reason, String message) throws Exception {
        new WorkingSetStore(store).publish(set.withPack(pack));
        assertThatThrownBy(() -> new WorkingSetStore(store).find(info, TRUSTED))
                .isInstanceOfSatisfying(WorkingSetException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    private void assertRefused(WorkingSet set, Reason reason, String message) {
        assertThatThrownBy(() -> new WorkingSetStore(store).fetchPack(set))
                .isInstanceOfSatisfying(WorkingSetException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    /** Records reads in chunks 0, 1, 4 (zero) and 8, packs them from chunks fetched and verified, publishes. */
    private WorkingSet publishPack() throws Exception {
        WorkingSetRecorder recorder = new WorkingSetRecorder(info, "mem");
        recorder.touched("mem", 0);
        recorder.read("mem", 0, (int) MIB + 4096);
        recorder.read("mem", 4 * MIB, 4096);
        recorder.read("mem", 8 * MIB + 4096, 3 * 4096);
        WorkingSet set = recorder.finish("node-a").orElseThrow();
        SnapshotInfo.FileEntry entry = info.files().get("mem");
        PagePackBuilder.Built built = PagePackBuilder.build(entry, recorder.pages(),
                index -> ChunkTransfer.isZero(entry, index) ? new byte[entry.chunkLength(index)]
                        : store.fetchChunk(info, "mem", index, new AtomicLong()));
        assertThat(built.pack().rawBytes()).isEqualTo(MIB + 4096 + 4096 + 3 * 4096);
        WorkingSet withPack = set.withPack(built.pack());
        new WorkingSetStore(store).publish(withPack, built.object());
        return withPack;
    }

    private void assertReads(LoadedPack pack, long offset, int length) {
        ByteBuffer target = ByteBuffer.allocate(length);
        assertThat(pack.read(offset, target)).as("read of %d at %d", length, offset).isTrue();
        assertThat(target.array()).isEqualTo(Arrays.copyOfRange(mem, (int) offset, (int) offset + length));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
