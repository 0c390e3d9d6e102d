package dev.thaw.snapshot.store;

import static dev.thaw.snapshot.store.Bundles.MIB;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.snapshot.testing.TestS3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.thaw.api.FileDigests;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.VerificationException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishes and fetches bundles through a real S3 server over HTTP, and through a directory store. */
class SnapshotStoreTest {

    private static TestS3 s3;
    private static S3ObjectStore objects;
    private static SnapshotStore store;
    private static final NodeKey KEY = NodeKey.generate("node-1");

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = TestS3.start();
        objects = s3.newStore();
        store = new SnapshotStore(objects, KEY);
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
    }

    @Test
    void imagesAreUploadedAsChunksAndNothingWaitsInTheSpool() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        List<Path> uploaded = Collections.synchronizedList(new ArrayList<>());
        DirectoryObjectStore directory = new DirectoryObjectStore(tmp.resolve("objects"));
        // Records where each packed file lay when it was uploaded.
        ObjectStore recording = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(
                ObjectStore.class.getClassLoader(), new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("put") && args[1] instanceof Path file) {
                        uploaded.add(file);
                    }
                    try {
                        return method.invoke(directory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        SnapshotStore spooled = new SnapshotStore(recording, KEY, spool);
        byte[] bytes = Bundles.randomBytes(new Random(3), 3 * MIB);
        Path disk = Files.write(tmp.resolve("disk.img"), bytes);
        String digest = FileDigests.sha256Hex(disk);

        spooled.publishImage(digest, disk, "node-1");

        // Content-addressed chunks go up from memory, one object each: no packed file is spooled.
        assertThat(uploaded).isEmpty();
        try (Stream<Path> left = Files.list(spool)) {
            assertThat(left).isEmpty();
        }
        ImageInfo image = spooled.findImage(digest).orElseThrow();
        assertThat(image.chunked()).isTrue();
        assertThat(directory.list("chunks/")).hasSize(3);
        assertThat(directory.list("images/" + digest + "/")).containsExactlyInAnyOrder(
                "images/" + digest + "/info.json", "images/" + digest + "/info.sig");
    }

    @Test
    void sparseSnapshotRoundTripsThroughS3() throws Exception {
        Path source = tmp.resolve("source");
        SnapshotInfo info = Bundles.sparseSnapshot(source, "roundtrip", "r1", 64, 1);

        PublishReport published = store.publishSnapshot(source, info);
        Optional<SnapshotInfo> found = store.findSnapshot("roundtrip", "r1");
        Path target = tmp.resolve("target");
        FetchReport fetched = store.fetchSnapshot(found.orElseThrow(), target);

        assertThat(found).contains(info);
        assertSameFiles(source, target, info);
        assertThat(SnapshotInfo.read(target.resolve("info.json"))).isEqualTo(info);
        long raw = 64L * MIB + 70_000;
        assertThat(published.rawBytes()).isEqualTo(raw);
        assertThat(published.skipped()).isFalse();
        // Non-zero mem chunks: 0-1 (2 MiB), 32-33 (1 MiB straddling them) and 63 (its last 1000 bytes); all of vmstate.
        assertThat(published.dataBytes()).isEqualTo(5L * MIB + 70_000);
        assertThat(published.storedBytes()).isLessThan(raw / 8).isGreaterThan(3L * MIB);
        assertThat(fetched.rawBytes()).isEqualTo(raw);
        assertThat(fetched.fetchedBytes()).isLessThan(published.storedBytes()).isGreaterThan(3L * MIB);
        assertThat(objects.list("snapshots/roundtrip/r1/")).containsExactly("snapshots/roundtrip/r1/info.json",
                "snapshots/roundtrip/r1/info.sig");
        // The six distinct non-zero chunks, each its own object.
        for (String digest : ChunkTransfer.distinctChunks(info.files()).keySet()) {
            assertThat(objects.size(ChunkTransfer.key(digest))).isPresent();
        }
        assertThat(ChunkTransfer.distinctChunks(info.files())).hasSize(6);
    }

    @Test
    void sparseSnapshotRoundTripsThroughADirectory() throws Exception {
        Path source = tmp.resolve("source");
        SnapshotInfo info = Bundles.sparseSnapshot(source, "dir-fn", "r1", 16, 2);
        SnapshotStore local = new SnapshotStore(new DirectoryObjectStore(tmp.resolve("store")), KEY);

        local.publishSnapshot(source, info);
        Path target = tmp.resolve("target");
        local.fetchSnapshot(local.findSnapshot("dir-fn", "r1").orElseThrow(), target);

        assertSameFiles(source, target, info);
        assertThat(local.revisions("dir-fn")).containsExactly("r1");
    }

    @Test
    void concurrentPublishersOfOneRevisionLeaveOneValidSnapshot() throws Exception {
        SnapshotStore local = new SnapshotStore(new DirectoryObjectStore(tmp.resolve("store")), KEY);
        for (int round = 0; round < 4; round++) {
            String revision = "r" + round;
            List<Path> sources = List.of(tmp.resolve("a" + round), tmp.resolve("b" + round));
            List<SnapshotInfo> infos = List.of(Bundles.sparseSnapshot(sources.get(0), "race", revision, 8, 10 + round),
                    Bundles.sparseSnapshot(sources.get(1), "race", revision, 8, 20 + round));
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                List<java.util.concurrent.Future<PublishReport>> reports = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    int which = i;
                    reports.add(pool.submit(() -> {
                        together.await();
                        return local.publishSnapshot(sources.get(which), infos.get(which));
                    }));
                }
                for (var report : reports) {
                    report.get();
                }
            }
            SnapshotInfo found = local.findSnapshot("race", revision).orElseThrow();
            int winner = infos.indexOf(found);
            assertThat(winner).as("the stored info is one publisher's").isNotNegative();
            Path target = tmp.resolve("fetched" + round);
            local.fetchSnapshot(found, target);
            assertSameFiles(sources.get(winner), target, found);
            assertThat(local.objectStore().size("snapshots/race/" + revision + "/" + BundleTransfer.CLAIM)).isEmpty();
        }
    }

    @Test
    void aLiveClaimMakesAPublisherSkipAndAStaleClaimIsTakenOver() throws Exception {
        DirectoryObjectStore objects = new DirectoryObjectStore(tmp.resolve("store"));
        java.time.Instant now = java.time.Instant.parse("2026-01-01T12:00:00Z");
        BundleTransfer transfer = new BundleTransfer(objects, java.time.InstantSource.fixed(now));
        Path source = tmp.resolve("claimed");
        SnapshotInfo info = Bundles.sparseSnapshot(source, "claimed", "r1", 4, 3);
        String prefix = "images/claimed/";
        byte[] json = dev.thaw.api.Json.write(info).getBytes(UTF_8);
        objects.put(prefix + BundleTransfer.CLAIM, now.minusSeconds(60).toString().getBytes(UTF_8));
        assertThat(transfer.publish(prefix, source, info.files(), json).skipped()).isTrue();
        assertThat(objects.size(prefix + "info.json")).isEmpty();

        objects.put(prefix + BundleTransfer.CLAIM, now.minus(BundleTransfer.STALE_CLAIM).minusSeconds(1).toString()
                .getBytes(UTF_8));
        assertThat(transfer.publish(prefix, source, info.files(), json).skipped()).isFalse();
        assertThat(objects.list(prefix)).containsExactly(prefix + "info.json", prefix + "mem.zst",
                prefix + "pack.json", prefix + "vmstate.zst");
    }

    @Test
    void malformedOrNewerInfoIsAFormatError() throws Exception {
        publish("badinfo", "r1");
        String key = "snapshots/badinfo/r1/info.json";

        // Signed, so that parsing is what fails: an unsigned change fails its signature first.
        putSigned(key, "{\"formatVersion\":1,".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.findSnapshot("badinfo", "r1"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageStartingWith(key + ": malformed JSON");

        putSigned(key, "{\"formatVersion\":3,\"whatever\":true}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.findSnapshot("badinfo", "r1"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("snapshot format version 3 found");

        SnapshotInfo other = Bundles.info("someone-else", "r1", Map.of());
        putSigned(key, Files.readAllBytes(writeInfo(other)));
        assertThatThrownBy(() -> store.findSnapshot("badinfo", "r1"))
                .isInstanceOf(VerificationException.class)
                .hasMessageContaining("describes function 'someone-else'");
        objects.delete(key); // a manifest no one can read holds back every chunk collection in this bucket
    }

    private static void putSigned(String key, byte[] json) throws Exception {
        objects.put(key.replace("info.json", InfoSignature.FILE_NAME), InfoSignature.sign(KEY, key, json).toJson());
        objects.put(key, json);
    }

    @Test
    void missingSnapshotIsEmpty() throws Exception {
        assertThat(store.findSnapshot("nothing-here", "r1")).isEmpty();
        assertThat(store.findImage("nothing")).isEmpty();
        assertThat(store.revisions("nothing-here")).isEmpty();
    }

    @Test
    void pathLikeNamesAreRejectedBeforeAnythingIsWritten() throws Exception {
        Path disk = Files.write(tmp.resolve("disk.img"), new byte[4096]);
        List<String> before = objects.list("");

        assertThatThrownBy(() -> store.findSnapshot("../etc", "r1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'../etc'");
        assertThatThrownBy(() -> store.findSnapshot("hello", "../../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("revision '../../x'");
        assertThatThrownBy(() -> store.publishImage("../evil", disk, "node-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image digest '../evil'");
        assertThatThrownBy(() -> store.publishImage("a/b", disk, "node-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.deleteSnapshot("hello", "..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.publishSnapshot(tmp, Bundles.info("hello", "x\\y", Map.of())))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(objects.list("")).isEqualTo(before);
        try (Stream<Path> files = Files.walk(s3.dataDir())) {
            assertThat(files.filter(p -> p.toString().contains("evil"))).isEmpty();
        }
    }

    @Test
    void bundleFileNamesMustBePlain() {
        BundleTransfer transfer = new BundleTransfer(objects);
        Map<String, SnapshotInfo.FileEntry> files =
                Map.of("../escape", new SnapshotInfo.FileEntry(0, "0".repeat(64), MIB, List.of()));
        assertThatThrownBy(() -> transfer.fetch("bundles/x/", files, tmp.resolve("t")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../escape'");
        assertThatThrownBy(() -> transfer.publish("bundles/x/", tmp, files, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../escape'");
        assertThat(tmp.getParent().resolve("escape")).doesNotExist();
    }

    @Test
    void deleteRemovesInfoFirstAndLeavesNoKeys() throws Exception {
        publish("doomed", "r1");
        publish("doomed", "r2");
        assertThat(store.revisions("doomed")).containsExactly("r1", "r2");
        RecordingStore recording = new RecordingStore(objects);
        SnapshotStore watched = new SnapshotStore(recording);

        watched.deleteSnapshot("doomed", "r1");
        assertThat(recording.deleted.getFirst()).isEqualTo("snapshots/doomed/r1/info.json");
        assertThat(recording.deleted).contains("snapshots/doomed/r1/info.sig");
        assertThat(objects.list("snapshots/doomed/r1/")).isEmpty();
        assertThat(store.findSnapshot("doomed", "r1")).isEmpty();
        assertThat(store.revisions("doomed")).containsExactly("r2");

        recording.deleted.clear();
        watched.deleteFunction("doomed");
        assertThat(recording.deleted.getFirst()).isEqualTo("snapshots/doomed/r2/info.json");
        assertThat(objects.list("snapshots/doomed/")).isEmpty();
        assertThat(store.revisions("doomed")).isEmpty();
    }

    @Test
    void imagesAreContentAddressedAndPublishedOnce() throws Exception {
        byte[] data = new byte[3 * MIB + 100];
        new Random(3).nextBytes(data);
        Arrays.fill(data, MIB, 2 * MIB, (byte) 0);
        Path disk = Files.write(tmp.resolve("rootfs.ext4"), data);

        String digest = FileDigests.describe(disk).sha256();
        PublishReport first = store.publishImage(digest, disk, "node-1");
        PublishReport second = store.publishImage(digest, disk, "node-2");

        assertThat(first.skipped()).isFalse();
        assertThat(first.storedBytes()).isPositive();
        assertThat(second.skipped()).isTrue();
        assertThat(second.storedBytes()).isZero();
        ImageInfo image = store.findImage(digest).orElseThrow();
        assertThat(image.node()).isEqualTo("node-1");
        assertThat(image.disk().size()).isEqualTo(data.length);
        Path target = tmp.resolve("image");
        FetchReport fetched = store.fetchImage(image, target);
        assertThat(Files.readAllBytes(target.resolve("disk"))).isEqualTo(data);
        assertThat(fetched.rawBytes()).isEqualTo(data.length);
        assertThat(listDir(target)).containsExactly("disk");
    }

    @Test
    void malformedImageInfoIsAFormatError() throws Exception {
        objects.put("images/broken/info.json", "{\"formatVersion\":3}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.findImage("broken"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("image format version 3 found");
        objects.put("images/broken/info.json", "{\"formatVersion\":1,\"digest\":\"broken\"}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> store.findImage("broken"))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("invalid image metadata");
        objects.delete("images/broken/info.json");
    }

    @Test
    void publishingOverAChangedFileFails() throws Exception {
        Path source = tmp.resolve("source");
        SnapshotInfo info = Bundles.sparseSnapshot(source, "changed", "r1", 4, 4);
        Files.write(source.resolve("vmstate"), new byte[] {1, 2, 3}, StandardOpenOption.WRITE);

        assertThatThrownBy(() -> store.publishSnapshot(source, info))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("changed after it was described");
        assertThat(objects.size("snapshots/changed/r1/info.json")).isEqualTo(OptionalLong.empty());
    }

    private SnapshotInfo publish(String function, String revision) throws Exception {
        Path source = tmp.resolve("src-" + function + "-" + revision);
        SnapshotInfo info = Bundles.sparseSnapshot(source, function, revision, 4, function.hashCode());
        store.publishSnapshot(source, info);
        return info;
    }

    private Path writeInfo(SnapshotInfo info) throws IOException {
        Path file = tmp.resolve("info-" + info.function() + ".json");
        info.write(file);
        return file;
    }

    private static void assertSameFiles(Path source, Path target, SnapshotInfo info) throws IOException {
        for (String name : info.files().keySet()) {
            assertThat(Files.size(target.resolve(name))).isEqualTo(Files.size(source.resolve(name)));
            assertThat(Files.mismatch(source.resolve(name), target.resolve(name))).as(name).isEqualTo(-1L);
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

    /** Passes everything through and records deletions in order. */
    private static final class RecordingStore implements ObjectStore {
        final List<String> deleted = Collections.synchronizedList(new ArrayList<>());
        private final ObjectStore delegate;

        RecordingStore(ObjectStore delegate) {
            this.delegate = delegate;
        }

        @Override public String describe() { return delegate.describe(); }
        @Override public void put(String key, Path file) throws StoreException { delegate.put(key, file); }
        @Override public void put(String key, byte[] bytes) throws StoreException { delegate.put(key, bytes); }
        @Override public boolean create(String key, byte[] bytes) throws StoreException {
            return delegate.create(key, bytes);
        }
        @Override public byte[] get(String key) throws StoreException { return delegate.get(key); }
        @Override public byte[] getRange(String key, long offset, int length) throws StoreException {
            return delegate.getRange(key, offset, length);
        }
        @Override public OptionalLong size(String key) throws StoreException { return delegate.size(key); }
        @Override public List<String> list(String prefix) throws StoreException { return delegate.list(prefix); }
        @Override public void delete(String key) throws StoreException {
            deleted.add(key);
            delegate.delete(key);
        }
        @Override public void close() {}
    }
}
