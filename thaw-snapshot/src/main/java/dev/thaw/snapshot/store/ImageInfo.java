package dev.thaw.snapshot.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo.FileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code info.json} of a root file system image in the store. An image is content-addressed by
 * {@code digest} and has exactly one file, {@value #DISK}. Format {@value #FORMAT_VERSION} (written)
 * is a manifest of content-addressed chunks ({@code chunks/<sha256>}) shared with snapshots and
 * other images, signed like a snapshot's when a node published it; format {@value #PACKED_VERSION}
 * (still read) kept its own packed {@code disk.zst} under the image's prefix.
 *
 * @param node the host that published it
 */
public record ImageInfo(int formatVersion, String digest, Map<String, FileEntry> files, Instant createdAt, String node) {

    public static final int FORMAT_VERSION = 2;
    /** The packed layout of earlier releases: {@code disk.zst} and {@code pack.json} under the image's prefix. */
    public static final int PACKED_VERSION = 1;
    /** The image's one file. */
    public static final String DISK = "disk";

    private static final ObjectReader STRICT_READER = Json.mapper()
            .readerFor(ImageInfo.class)
            .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /** @throws IllegalArgumentException if a field is missing or malformed */
    public ImageInfo {
        if (formatVersion != FORMAT_VERSION && formatVersion != PACKED_VERSION) {
            throw new IllegalArgumentException(versionMismatch(formatVersion));
        }
        StoreKeys.requireName("image digest", digest);
        Objects.requireNonNull(files, "files must not be null");
        if (files.size() != 1 || files.get(DISK) == null) {
            throw new IllegalArgumentException("an image has exactly one file, '" + DISK + "', got " + files.keySet());
        }
        files = Map.copyOf(files);
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("node must not be blank");
        }
    }

    public FileEntry disk() {
        return files.get(DISK);
    }

    /** True for a manifest of shared chunks; false for the packed layout of format {@value #PACKED_VERSION}. */
    public boolean chunked() {
        return formatVersion == FORMAT_VERSION;
    }

    public byte[] toJson() {
        try {
            return (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write image metadata: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parses an image's {@code info.json}; {@code source} names where it came from in messages.
     *
     * @throws SnapshotFormatException if it is malformed, of another version, or breaks the contract
     */
    public static ImageInfo parse(Path source, byte[] json) throws SnapshotFormatException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new SnapshotFormatException(source, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SnapshotFormatException(source, "expected a JSON object");
        }
        JsonNode version = root.get("formatVersion");
        if (version == null || !version.isInt()) {
            throw new SnapshotFormatException(source, "missing or non-integer formatVersion; this Thaw reads image format versions "
                    + PACKED_VERSION + " and " + FORMAT_VERSION);
        }
        if (version.intValue() != FORMAT_VERSION && version.intValue() != PACKED_VERSION) {
            throw new SnapshotFormatException(source, versionMismatch(version.intValue()));
        }
        try {
            return STRICT_READER.readValue(root);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new SnapshotFormatException(source, "invalid image metadata: " + cause.getMessage(), e);
        } catch (IOException e) {
            throw new SnapshotFormatException(source, "invalid image metadata: " + e.getMessage(), e);
        }
    }

    private static String versionMismatch(int found) {
        return "image format version " + found + " found; this Thaw reads versions " + PACKED_VERSION
                + " (packed) and " + FORMAT_VERSION + " (content-addressed chunks) only (publish the image again)";
    }
}
