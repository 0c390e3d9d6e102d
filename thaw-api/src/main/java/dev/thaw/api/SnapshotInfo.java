package dev.thaw.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The metadata of one snapshot, stored as {@code info.json} next to the snapshot's files; format
 * version {@value #FORMAT_VERSION}.
 *
 * <p>JSON property names are the component names; {@code createdAt} is an ISO-8601 string.
 * Contract, enforced by the constructor:
 *
 * <ul>
 *   <li>{@code formatVersion} is {@value #FORMAT_VERSION}.
 *   <li>{@code function} is a valid {@link FunctionId#key() function key}; {@code revision}, {@code driver},
 *       {@code driverVersion}, {@code kernelDigest} and {@code node} are non-blank.
 *   <li>{@code shape} and {@code createdAt} are non-null; {@code initMs} is finite and
 *       {@code >= 0}.
 *   <li>{@code imageDigests} (root filesystem layers, bottom first) holds non-blank strings; kept
 *       as an immutable copy, order preserved.
 *   <li>{@code files} maps plain file names (no {@code /}, {@code \}, {@code ..}; not {@code .})
 *       to non-null entries; kept as an immutable copy sorted by name.
 * </ul>
 *
 * @param revision identifies the function's code and manifest the snapshot was made from
 * @param driver the VM driver that made the snapshot, e.g. {@code "qemu-microvm"}
 * @param driverVersion the driver's version, e.g. the QEMU version {@code "7.2.19"}
 * @param files the snapshot's files by name, e.g. {@code "mem"}, {@code "vmstate"}
 * @param node the host that made the snapshot
 * @param initMs how long the function's initialisation took before the snapshot was taken
 */
public record SnapshotInfo(
        int formatVersion,
        String function,
        String revision,
        String driver,
        String driverVersion,
        MachineShape shape,
        String kernelDigest,
        List<String> imageDigests,
        Map<String, FileEntry> files,
        Instant createdAt,
        String node,
        double initMs) {

    /** The only format version this Thaw reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /** The metadata file's name inside a snapshot directory. */
    public static final String FILE_NAME = "info.json";
    /** The largest {@code info.json} read, in bytes, and the most files one snapshot may list. */
    public static final int MAX_BYTES = 32 << 20;
    public static final int MAX_FILES = 64;

    // Every component must be present: a field missing from info.json is corruption, not a default.
    private static final ObjectReader STRICT_READER = Json.mapper()
            .readerFor(SnapshotInfo.class)
            .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /**
     * One file of a snapshot or image: its size and digests. Besides the whole
     * file's SHA-256, each {@code chunkSize} slice has its own, so a file fetched
     * in parallel pieces is verified piece by piece, and all-zero chunks need
     * not travel at all.
     *
     * @param size the size in bytes, {@code >= 0}
     * @param sha256 the SHA-256 of the content, 64 lower-case hex digits
     * @param chunkSize the length of every chunk but the last, {@code > 0}
     * @param chunks the SHA-256 of each chunk in order; {@code ceil(size / chunkSize)} of them
     */
    public record FileEntry(long size, String sha256, int chunkSize, List<String> chunks) {

        /** The chunk size Thaw writes: fine enough to skip zero regions, coarse enough to stay small. */
        public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
        /** The smallest and largest chunk sizes read: each chunk is held in memory whole. */
        public static final int MIN_CHUNK_SIZE = 4096;
        public static final int MAX_CHUNK_SIZE = 64 << 20;
        /** The largest snapshot file read: above any guest's memory. */
        public static final long MAX_FILE_SIZE = 1L << 40;

        private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

        /** @throws IllegalArgumentException if size is negative, a digest malformed or the chunk list the wrong length */
        public FileEntry {
            if (size < 0 || size > MAX_FILE_SIZE) {
                throw new IllegalArgumentException("file size must be from 0 to " + MAX_FILE_SIZE + " bytes, got "
                        + size);
            }
            requireSha256(sha256, "sha256");
            if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
                throw new IllegalArgumentException("chunkSize must be from " + MIN_CHUNK_SIZE + " to " + MAX_CHUNK_SIZE
                        + " bytes, got " + chunkSize);
            }
            Objects.requireNonNull(chunks, "chunks must not be null");
            long expected = (size + chunkSize - 1) / chunkSize;
            if (chunks.size() != expected) {
                throw new IllegalArgumentException("a file of " + size + " bytes in chunks of " + chunkSize
                        + " has " + expected + " chunk digests, got " + chunks.size());
            }
            for (String chunk : chunks) {
                requireSha256(chunk, "chunk sha256");
            }
            chunks = List.copyOf(chunks);
        }

        /** The number of bytes in chunk {@code index}: {@code chunkSize}, or less for the last. */
        public int chunkLength(int index) {
            return (int) Math.min(chunkSize, size - (long) index * chunkSize);
        }

        private static void requireSha256(String value, String what) {
            if (value == null || !SHA256.matcher(value).matches()) {
                throw new IllegalArgumentException(what + " must be 64 lower-case hex digits, got "
                        + (value == null ? "null" : "'" + value + "'"));
            }
        }
    }

    /**
     * @throws IllegalArgumentException if a value breaks the contract above
     * @throws NullPointerException if {@code shape}, {@code createdAt}, {@code imageDigests} or
     *     {@code files} is null
     */
    public SnapshotInfo {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException(versionMismatch(formatVersion));
        }
        FunctionId.requireKey(function);
        requireNonBlank(revision, "revision");
        requireNonBlank(driver, "driver");
        requireNonBlank(driverVersion, "driverVersion");
        Objects.requireNonNull(shape, "shape must not be null");
        requireNonBlank(kernelDigest, "kernelDigest");
        Objects.requireNonNull(imageDigests, "imageDigests must not be null");
        for (String digest : imageDigests) {
            requireNonBlank(digest, "imageDigests entry");
        }
        imageDigests = List.copyOf(imageDigests);
        files = copyFiles(files);
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        requireNonBlank(node, "node");
        if (!Double.isFinite(initMs) || initMs < 0) {
            throw new IllegalArgumentException("initMs must be a finite number >= 0, got " + initMs);
        }
    }

    /**
     * Reads and validates an {@code info.json}.
     *
     * @throws SnapshotFormatException if the file is missing or unreadable, not a JSON object, of
     *     another format version, or has missing, unknown or invalid fields
     */
    public static SnapshotInfo read(Path infoJson) throws SnapshotFormatException {
        String text;
        try {
            if (Files.size(infoJson) > MAX_BYTES) {
                throw new SnapshotFormatException(infoJson, "snapshot metadata is larger than " + MAX_BYTES + " bytes");
            }
            text = Files.readString(infoJson);
        } catch (NoSuchFileException e) {
            throw new SnapshotFormatException(infoJson, "snapshot metadata not found", e);
        } catch (IOException e) {
            throw new SnapshotFormatException(infoJson, "cannot read snapshot metadata: " + e, e);
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException(infoJson, "malformed JSON: " + Json.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new SnapshotFormatException(infoJson, "expected a JSON object, got "
                    + (root == null || root.isMissingNode() ? "an empty file" : root.getNodeType().toString().toLowerCase()));
        }
        // Check the version before the fields, so a newer format reports its version and not
        // whatever new field it added.
        JsonNode version = root.get("formatVersion");
        if (version == null || !version.isInt()) {
            throw new SnapshotFormatException(infoJson, "missing or non-integer formatVersion; this Thaw reads format version "
                    + FORMAT_VERSION);
        }
        if (version.intValue() != FORMAT_VERSION) {
            throw new SnapshotFormatException(infoJson, versionMismatch(version.intValue()));
        }
        try {
            return STRICT_READER.readValue(root);
        } catch (ValueInstantiationException e) {
            // The record's own validation failed: its message is the useful part.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SnapshotFormatException(infoJson, "invalid snapshot metadata: " + cause.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException(infoJson, "invalid snapshot metadata: " + Json.describe(e), e);
        } catch (IOException e) {
            throw new SnapshotFormatException(infoJson, "cannot read snapshot metadata: " + e, e);
        }
    }

    /**
     * Writes this as pretty-printed JSON to {@code infoJson}, atomically: readers see the old file
     * or the new one, never a partial one.
     */
    public void write(Path infoJson) throws IOException {
        String json = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
        AtomicFiles.write(infoJson, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String versionMismatch(int found) {
        return "snapshot format version " + found + " found; this Thaw reads format version " + FORMAT_VERSION
                + " only (rebuild the snapshot)";
    }

    private static void requireNonBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank, got "
                    + (value == null ? "null" : "'" + value + "'"));
        }
    }

    private static Map<String, FileEntry> copyFiles(Map<String, FileEntry> files) {
        Objects.requireNonNull(files, "files must not be null");
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException("files: " + files.size() + " entries; at most " + MAX_FILES);
        }
        TreeMap<String, FileEntry> sorted = new TreeMap<>();
        for (Map.Entry<String, FileEntry> e : files.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(".") || name.contains("..")
                    || name.contains("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("files: " + (name == null ? "null" : "'" + name + "'")
                        + " is not a plain file name (no '/', '\\', '..')");
            }
            sorted.put(name, Objects.requireNonNull(e.getValue(), () -> "files: entry for '" + name + "' must not be null"));
        }
        return Collections.unmodifiableMap(sorted);
    }
}
