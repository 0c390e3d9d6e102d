package dev.thaw.snapshot.workingset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.workingset.WorkingSetException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * The chunks of one snapshot file that a restore touched until its first response, in the order
 * it first touched them. Stored beside the snapshot's manifest as {@value #FILE_NAME}, signed
 * like it ({@value #SIGNATURE_FILE_NAME}).
 *
 * @param function the function the snapshot belongs to
 * @param revision its revision
 * @param file the snapshot file the indices are chunks of, e.g. {@code mem}
 * @param fileSha256 that file's SHA-256 in the manifest: a set recorded for an older snapshot of the
 *     revision does not match a newer one
 * @param chunkSize that file's chunk size in the manifest
 * @param chunks chunk indices, first touched first, each at most once
 * @param node the node that recorded it; informational
 * @param pack the pages the restore read, packed for one GET; null when none was published
 */
public record WorkingSet(int formatVersion, String function, String revision, String file, String fileSha256,
        int chunkSize, List<Integer> chunks, String node, PagePack pack) {

    public static final String FILE_NAME = "working-set.json";
    public static final String SIGNATURE_FILE_NAME = "working-set.sig";
    /** 2 added the page pack. */
    public static final int FORMAT_VERSION = 2;
    /** The memory file a working set describes. */
    public static final String MEMORY_FILE = "mem";
    /** 131,072 entries: a 128 GiB guest in 1 MiB chunks, or 8 GiB in 64 KiB ones. */
    public static final int MAX_CHUNKS = 1 << 17;
    /** Room for {@link #MAX_CHUNKS} indices of up to 7 digits, {@link PagePack#MAX_RANGES} ranges and the rest. */
    public static final int MAX_BYTES = 4 << 20;

    public WorkingSet {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fileSha256, "fileSha256");
        Objects.requireNonNull(node, "node");
        chunks = List.copyOf(chunks);
    }

    /** A working set without a page pack. */
    public WorkingSet(int formatVersion, String function, String revision, String file, String fileSha256,
            int chunkSize, List<Integer> chunks, String node) {
        this(formatVersion, function, revision, file, fileSha256, chunkSize, chunks, node, null);
    }

    /** This set with {@code pack} as its page pack. */
    public WorkingSet withPack(PagePack pack) {
        return new WorkingSet(formatVersion, function, revision, file, fileSha256, chunkSize, chunks, node, pack);
    }

    /** A working set of {@code info}'s file {@code file}, touched in the order of {@code chunks}. */
    public static WorkingSet of(SnapshotInfo info, String file, List<Integer> chunks, String node) {
        FileEntry entry = info.files().get(file);
        if (entry == null) {
            throw new IllegalArgumentException("snapshot " + info.function() + "/" + info.revision() + " has no file '"
                    + file + "'");
        }
        return new WorkingSet(FORMAT_VERSION, info.function(), info.revision(), file, entry.sha256(),
                entry.chunkSize(), chunks, node);
    }

    /** The raw bytes of the non-zero chunks this set names in {@code info} (zero chunks are never fetched). */
    public long dataBytes(SnapshotInfo info) {
        FileEntry entry = info.files().get(file);
        long total = 0;
        for (int index : chunks) {
            if (!ChunkTransfer.isZero(entry, index)) {
                total += entry.chunkLength(index);
            }
        }
        return total;
    }

    /**
     * Checks that this set describes {@code info}: the same function, revision, file digest and
     * chunk size, and only chunks the file has, each once.
     *
     * @param what names the set in the message
     * @throws WorkingSetException ({@link Reason#OUTSIDE}) otherwise
     */
    public void requireWithin(SnapshotInfo info, String what) throws WorkingSetException {
        if (!function.equals(info.function()) || !revision.equals(info.revision())) {
            throw outside(what, "is for function '" + function + "' revision '" + revision + "', not '"
                    + info.function() + "' revision '" + info.revision() + "'");
        }
        FileEntry entry = info.files().get(file);
        if (entry == null) {
            throw outside(what, "names file '" + file + "', which the snapshot does not have (it has "
                    + info.files().keySet() + ")");
        }
        if (!entry.sha256().equals(fileSha256) || entry.chunkSize() != chunkSize) {
            throw outside(what, "was recorded for another snapshot of the revision (file '" + file + "' SHA-256 "
                    + fileSha256 + " in chunks of " + chunkSize + "; the snapshot's is " + entry.sha256() + " in chunks of "
                    + entry.chunkSize() + ")");
        }
        BitSet seen = new BitSet();
        for (int i = 0; i < chunks.size(); i++) {
            int index = chunks.get(i);
            if (index < 0 || index >= entry.chunks().size()) {
                throw outside(what, "entry " + i + " names chunk " + index + " of '" + file + "', which has chunks 0 to "
                        + (entry.chunks().size() - 1));
            }
            if (seen.get(index)) {
                throw outside(what, "entry " + i + " names chunk " + index + " of '" + file + "' a second time");
            }
            seen.set(index);
        }
        if (pack != null) {
            pack.requireWithin(entry.size(), what);
        }
    }

    public byte[] toJson() {
        try {
            return (Json.mapper().writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a working set: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a stored working set: at most {@link #MAX_BYTES} and {@link #MAX_CHUNKS} entries, of
     * format version {@value #FORMAT_VERSION}, every field present and none unknown.
     *
     * @param what names the object in messages
     * @throws WorkingSetException ({@link Reason#TOO_LARGE} or {@link Reason#FORMAT}) otherwise
     */
    public static WorkingSet parse(String what, byte[] json) throws WorkingSetException {
        if (json.length > MAX_BYTES) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + " is " + json.length + " bytes, more than "
                    + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw format(what, "is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw format(what, "is not a JSON object");
        }
        // The version first, so a later format is named by its version, not by a field it added.
        JsonNode version = root.get("formatVersion");
        if (version == null || !version.isInt()) {
            throw format(what, "has no integer formatVersion; this Thaw reads working sets of format version "
                    + FORMAT_VERSION);
        }
        if (version.intValue() != FORMAT_VERSION) {
            throw format(what, "is of format version " + version.intValue() + "; this Thaw reads format version "
                    + FORMAT_VERSION + " only");
        }
        JsonNode ranges = root.path("pack").path("ranges");
        if (ranges.isArray() && ranges.size() > PagePack.MAX_RANGES) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + " names " + ranges.size() + " page ranges, more than "
                    + PagePack.MAX_RANGES);
        }
        JsonNode chunks = root.get("chunks");
        if (chunks != null && chunks.isArray() && chunks.size() > MAX_CHUNKS) {
            throw new WorkingSetException(Reason.TOO_LARGE, what + " names " + chunks.size() + " chunks, more than "
                    + MAX_CHUNKS);
        }
        try {
            // A null chunk index fails in the constructor (List.copyOf), as a format error.
            // Every field must be present; only the pack may be null (the constructor refuses other nulls).
            return Json.mapper().readerFor(WorkingSet.class)
                    .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .readValue(root);
        } catch (java.io.IOException | IllegalArgumentException | NullPointerException e) {
            throw format(what, "is not a working set: " + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : String.valueOf(e.getMessage())));
        }
    }

    private static WorkingSetException format(String what, String detail) {
        return new WorkingSetException(Reason.FORMAT, what + " " + detail);
    }

    private static WorkingSetException outside(String what, String detail) {
        return new WorkingSetException(Reason.OUTSIDE, what + " " + detail + "; the restore goes on without it");
    }
}
