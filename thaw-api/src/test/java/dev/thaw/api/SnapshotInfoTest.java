package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotInfoTest {

    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "0123456789abcdef".repeat(4);

    @TempDir
    Path dir;

    private Path infoJson() {
        return dir.resolve(SnapshotInfo.FILE_NAME);
    }

    private static SnapshotInfo sample() {
        return new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, "hello", "rev-3f2a", "qemu-microvm", "7.2.19", new MachineShape(512, 2),
                "sha256:" + SHA_A, List.of("sha256:" + SHA_B, "sha256:" + SHA_A),
                Map.of("vmstate", entry(4096, SHA_B), "mem", entry(536870912L, SHA_A)),
                Instant.parse("2025-02-01T10:15:30.123456789Z"), "node-1", 812.5);
    }

    /** Writes the sample's JSON with one change applied to the tree. */
    private void writeSampleWith(Consumer<ObjectNode> change) throws IOException {
        ObjectNode tree = Json.mapper().valueToTree(sample());
        change.accept(tree);
        Files.writeString(infoJson(), tree.toString());
    }

    @Test
    void roundTripsThroughARealFile() throws Exception {
        SnapshotInfo info = sample();
        info.write(infoJson());
        assertThat(SnapshotInfo.read(infoJson())).isEqualTo(info);
    }

    @Test
    void writesReadableIsoJson() throws Exception {
        sample().write(infoJson());
        JsonNode tree = Json.mapper().readTree(Files.readString(infoJson()));
        assertThat(tree.get("formatVersion").intValue()).isEqualTo(2);
        assertThat(tree.get("createdAt").textValue()).isEqualTo("2025-02-01T10:15:30.123456789Z");
        assertThat(tree.get("shape").get("memoryMib").intValue()).isEqualTo(512);
        assertThat(tree.get("files").get("mem").get("sha256").textValue()).isEqualTo(SHA_A);
        // Layers keep their order; files are sorted by name.
        assertThat(tree.get("imageDigests").get(0).textValue()).isEqualTo("sha256:" + SHA_B);
        assertThat(tree.get("files").propertyStream().map(Map.Entry::getKey)).containsExactly("mem", "vmstate");
    }

    @Test
    void writeReplacesAtomicallyLeavingNoTemporaryFiles() throws Exception {
        Files.writeString(infoJson(), "old");
        sample().write(infoJson());
        try (var entries = Files.list(dir)) {
            assertThat(entries).containsExactly(infoJson());
        }
        assertThat(SnapshotInfo.read(infoJson())).isEqualTo(sample());
    }

    @Test
    void writeIntoMissingDirectoryFails() {
        assertThatThrownBy(() -> sample().write(dir.resolve("no/such/info.json"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void missingFile() {
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessage(infoJson() + ": snapshot metadata not found")
                .satisfies(e -> assertThat(((SnapshotFormatException) e).file()).isEqualTo(infoJson()));
    }

    @Test
    void malformedJson() throws IOException {
        Files.writeString(infoJson(), "{\"formatVersion\": 1, ");
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageStartingWith(infoJson() + ": malformed JSON: ")
                .hasMessageEndingWith("(at line 1, column 22)");
    }

    @Test
    void emptyFileOrNonObject() throws IOException {
        Files.writeString(infoJson(), "");
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson())).hasMessage(infoJson() + ": expected a JSON object, got an empty file");
        Files.writeString(infoJson(), "[1]");
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson())).hasMessage(infoJson() + ": expected a JSON object, got array");
    }

    @Test
    void hostileSizesAreRefusedWithAFormatError() throws IOException {
        // A 2 GiB (Integer.MAX_VALUE) chunk would be held in memory whole on fetch.
        writeSampleWith(tree -> ((ObjectNode) tree.get("files").get("mem")).put("chunkSize", Integer.MAX_VALUE));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson())).isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("chunkSize must be from 4096 to 67108864 bytes, got 2147483647");
        writeSampleWith(tree -> ((ObjectNode) tree.get("files").get("mem")).put("size", Long.MAX_VALUE));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson())).isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("file size must be from 0 to");
        Files.write(infoJson(), new byte[SnapshotInfo.MAX_BYTES + 1]);
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson())).isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("larger than " + SnapshotInfo.MAX_BYTES + " bytes");
    }

    @Test
    void wrongVersionIsReportedBeforeOtherFields() throws IOException {
        // A v3 file may have fields v2 does not know; the version must still be what is reported.
        writeSampleWith(tree -> tree.put("formatVersion", 3).put("newInV3", true));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessage(infoJson() + ": snapshot format version 3 found; this Thaw reads format version 2 only"
                        + " (rebuild the snapshot)");
    }

    @Test
    void formatOneIsRefusedByName() throws IOException {
        writeSampleWith(tree -> tree.put("formatVersion", 1));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("snapshot format version 1 found (packed files per snapshot); this Thaw reads"
                        + " format version 2 (content-addressed chunks) only");
    }

    @Test
    void missingVersion() throws IOException {
        writeSampleWith(tree -> tree.remove("formatVersion"));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson())).hasMessageContaining("missing or non-integer formatVersion");
    }

    @Test
    void constructorRejectsWrongVersion() {
        assertThatThrownBy(() -> new SnapshotInfo(0, "hello", "r", "d", "v", MachineShape.DEFAULT, "k", List.of(), Map.of(),
                Instant.EPOCH, "n", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("snapshot format version 0 found; this Thaw reads format version 2");
    }

    @Test
    void badSha256InFile() throws IOException {
        writeSampleWith(tree -> ((ObjectNode) tree.get("files").get("mem")).put("sha256", SHA_A.toUpperCase()));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessage(infoJson() + ": invalid snapshot metadata: sha256 must be 64 lower-case hex digits, got '"
                        + SHA_A.toUpperCase() + "'");
    }

    @Test
    void fileEntryValidation() {
        assertThatThrownBy(() -> entry(1, "abc")).hasMessageContaining("64 lower-case hex digits, got 'abc'");
        assertThatThrownBy(() -> entry(1, null)).hasMessageContaining("got null");
        assertThatThrownBy(() -> entry(-1, SHA_A)).hasMessage("file size must be from 0 to 1099511627776 bytes,"
                + " got -1");
        assertThat(entry(0, SHA_A).size()).isZero();
    }

    @Test
    void missingFieldInFile() throws IOException {
        writeSampleWith(tree -> tree.remove("kernelDigest"));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageStartingWith(infoJson() + ": invalid snapshot metadata: ")
                .hasMessageContaining("kernelDigest");
    }

    @Test
    void unknownFieldInFile() throws IOException {
        writeSampleWith(tree -> tree.put("colour", "blue"));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("colour");
    }

    @Test
    void invalidFunctionNameInFile() throws IOException {
        writeSampleWith(tree -> tree.put("function", "../etc"));
        assertThatThrownBy(() -> SnapshotInfo.read(infoJson()))
                .isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("invalid function name '../etc'");
    }

    @Test
    void fileNamesMustBePlain() {
        for (String bad : List.of("a/b", "..", "../mem", ".", "", "a\\b")) {
            assertThatThrownBy(() -> withFiles(Map.of(bad, entry(1, SHA_A))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("files: '" + bad + "' is not a plain file name (no '/', '\\', '..')");
        }
    }

    @Test
    void blankStringsAreRejectedNamingTheField() {
        SnapshotInfo s = sample();
        assertThatThrownBy(() -> new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, s.function(), " ", s.driver(), s.driverVersion(), s.shape(),
                s.kernelDigest(), s.imageDigests(), s.files(), s.createdAt(), s.node(), s.initMs()))
                .hasMessage("revision must not be blank, got ' '");
        assertThatThrownBy(() -> new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, s.function(), s.revision(), s.driver(), s.driverVersion(), s.shape(),
                s.kernelDigest(), s.imageDigests(), s.files(), s.createdAt(), null, s.initMs()))
                .hasMessage("node must not be blank, got null");
        assertThatThrownBy(() -> new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, s.function(), s.revision(), s.driver(), s.driverVersion(), s.shape(),
                s.kernelDigest(), s.imageDigests(), s.files(), s.createdAt(), s.node(), -1))
                .hasMessage("initMs must be a finite number >= 0, got -1.0");
    }

    @Test
    void collectionsAreImmutable() {
        SnapshotInfo s = sample();
        assertThatThrownBy(() -> s.imageDigests().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> s.files().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    /** An entry in 1 MiB chunks whose chunk digests all equal the file's (only the count matters here). */
    private static SnapshotInfo.FileEntry entry(long size, String sha256) {
        int chunkSize = SnapshotInfo.FileEntry.DEFAULT_CHUNK_SIZE;
        long count = Math.max(0, (size + chunkSize - 1) / chunkSize);
        return new SnapshotInfo.FileEntry(size, sha256, chunkSize,
                java.util.Collections.nCopies((int) count, sha256 == null ? SHA_A : sha256));
    }

    @Test
    void chunkListMustMatchTheFileSize() {
        assertThatThrownBy(() -> new SnapshotInfo.FileEntry(3 << 20, SHA_A, 1 << 20, List.of(SHA_A, SHA_A)))
                .hasMessageContaining("has 3 chunk digests, got 2");
        assertThatThrownBy(() -> new SnapshotInfo.FileEntry(1, SHA_A, 0, List.of(SHA_A)))
                .hasMessageContaining("chunkSize must be from 4096 to 67108864 bytes, got 0");
        assertThatThrownBy(() -> new SnapshotInfo.FileEntry(1, SHA_A, 1 << 20, List.of("xyz")))
                .hasMessageContaining("chunk sha256 must be 64 lower-case hex digits");
        SnapshotInfo.FileEntry last = new SnapshotInfo.FileEntry((2 << 20) + 5, SHA_A, 1 << 20,
                List.of(SHA_A, SHA_A, SHA_A));
        assertThat(last.chunkLength(0)).isEqualTo(1 << 20);
        assertThat(last.chunkLength(2)).isEqualTo(5);
    }

    private static SnapshotInfo withFiles(Map<String, SnapshotInfo.FileEntry> files) {
        SnapshotInfo s = sample();
        return new SnapshotInfo(SnapshotInfo.FORMAT_VERSION, s.function(), s.revision(), s.driver(), s.driverVersion(), s.shape(), s.kernelDigest(),
                s.imageDigests(), files, s.createdAt(), s.node(), s.initMs());
    }
}
