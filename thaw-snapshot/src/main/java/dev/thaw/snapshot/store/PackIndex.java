package dev.thaw.snapshot.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A bundle's {@code pack.json}: where each chunk of each file lies in that
 * file's packed object. A {@code null} chunk is all zeros and is not stored.
 *
 * @param formatVersion {@value #FORMAT_VERSION}
 * @param files by file name
 */
public record PackIndex(int formatVersion, Map<String, PackedFile> files) {

    public static final int FORMAT_VERSION = 1;
    public static final String FILE_NAME = "pack.json";
    /** The largest {@code pack.json} read, the most files, chunks per file, and bytes per compressed chunk. */
    public static final int MAX_BYTES = 32 << 20;
    public static final int MAX_FILES = SnapshotInfo.MAX_FILES;
    public static final int MAX_CHUNKS = 1 << 24;
    public static final int MAX_FRAME_BYTES = 2 * SnapshotInfo.FileEntry.MAX_CHUNK_SIZE;

    private static final ObjectReader STRICT_READER = Json.mapper()
            .readerFor(PackIndex.class)
            .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /**
     * @param object the packed object's name, relative to the bundle's prefix
     * @param chunks per chunk of the file, its frame in the object, or null for a zero chunk
     */
    public record PackedFile(String object, List<Chunk> chunks) {
        public PackedFile {
            if (object == null || object.isEmpty() || object.contains("/") || object.contains("\\")
                    || object.contains("..") || object.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("packed object name " + (object == null ? "null" : "'" + object + "'")
                        + " is not a plain name");
            }
            Objects.requireNonNull(chunks, "chunks must not be null");
            if (chunks.size() > MAX_CHUNKS) {
                throw new IllegalArgumentException("a packed file of " + chunks.size() + " chunks; at most " + MAX_CHUNKS);
            }
            // Nulls are meaningful here (zero chunks), so no List.copyOf.
            chunks = Collections.unmodifiableList(new ArrayList<>(chunks));
        }
    }

    /** One zstd frame: {@code length} bytes at {@code offset} in the packed object. */
    public record Chunk(long offset, int length) {
        public Chunk {
            if (offset < 0 || length <= 0 || length > MAX_FRAME_BYTES) {
                throw new IllegalArgumentException("chunk must have offset >= 0 and a length from 1 to "
                        + MAX_FRAME_BYTES + ", got offset " + offset + ", length " + length);
            }
        }
    }

    public PackIndex {
        if (formatVersion != FORMAT_VERSION) {
            throw new IllegalArgumentException("pack format version " + formatVersion + "; this Thaw reads version "
                    + FORMAT_VERSION + " only");
        }
        Objects.requireNonNull(files, "files must not be null");
        if (files.size() > MAX_FILES) {
            throw new IllegalArgumentException(files.size() + " files; at most " + MAX_FILES);
        }
        TreeMap<String, PackedFile> sorted = new TreeMap<>();
        files.forEach((name, file) -> sorted.put(name, Objects.requireNonNull(file, () -> "file '" + name + "' is null")));
        files = Collections.unmodifiableMap(sorted);
    }

    public byte[] toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write pack index: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parses a {@code pack.json} read from {@code key}.
     *
     * @throws CorruptBundleException if it is not valid JSON, of another version, or breaks the contract
     */
    public static PackIndex parse(String key, byte[] json) throws CorruptBundleException {
        if (json.length > MAX_BYTES) {
            throw new CorruptBundleException(key + ": pack index of " + json.length + " bytes; at most " + MAX_BYTES);
        }
        try {
            JsonNode root = Json.mapper().readTree(new String(json, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                throw new CorruptBundleException(key + ": expected a JSON object");
            }
            JsonNode version = root.get("formatVersion");
            if (version == null || !version.isInt() || version.intValue() != FORMAT_VERSION) {
                throw new CorruptBundleException(key + ": pack format version " + version + "; this Thaw reads version "
                        + FORMAT_VERSION + " only (publish the snapshot again)");
            }
            return STRICT_READER.readValue(root);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CorruptBundleException(key + ": invalid pack index: " + cause.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new CorruptBundleException(key + ": malformed pack index: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CorruptBundleException(key + ": unreadable pack index: " + e, e);
        }
    }
}
