package dev.thaw.snapshot.store;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo.FileEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Moves snapshot files between a local directory and content-addressed chunk objects
 * ({@code chunks/<sha256>}) in an {@link ObjectStore}.
 *
 * <p>Each non-zero chunk of a file is stored once, as one zstd frame of its raw bytes, under the
 * SHA-256 of those bytes, and shared by every snapshot that holds the same bytes. The signed
 * manifest ({@code info.json}) lists every chunk's digest; a chunk whose digest is that of as many
 * zero bytes is a zero chunk, never stored, and left as a hole on fetch. Nothing but the signed
 * manifest decides which bytes land where.
 */
public final class ChunkTransfer {

    /** Where chunk objects live: {@code chunks/<64 hex digits>}. */
    public static final String CHUNKS = "chunks/";
    static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    /** Existence checks, uploads and GETs in flight at once. */
    static final int PARALLELISM = BundleTransfer.FETCH_PARALLELISM;

    private final ObjectStore store;

    public ChunkTransfer(ObjectStore store) {
        this.store = store;
    }

    /** The key of the chunk with SHA-256 {@code digest}. */
    public static String key(String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("chunk digest must be 64 lower-case hex digits, got '" + digest + "'");
        }
        return CHUNKS + digest;
    }

    /** True when chunk {@code index} of {@code entry} is all zeros by its signed digest. */
    public static boolean isZero(FileEntry entry, int index) {
        return entry.chunks().get(index).equals(FileDigests.zeroChunkSha256(entry.chunkLength(index)));
    }

    /** Where one chunk's bytes come from or go to: chunk {@code index} of file {@code name}. */
    record Place(String name, int index) {}

    /** The distinct non-zero chunks of {@code files}, each with every place it occupies, in file and chunk order. */
    static Map<String, List<Place>> distinctChunks(Map<String, FileEntry> files) {
        Map<String, List<Place>> chunks = new LinkedHashMap<>();
        for (Map.Entry<String, FileEntry> e : files.entrySet()) {
            FileEntry entry = e.getValue();
            for (int i = 0; i < entry.chunks().size(); i++) {
                if (!isZero(entry, i)) {
                    chunks.computeIfAbsent(entry.chunks().get(i), d -> new ArrayList<>()).add(new Place(e.getKey(), i));
                }
            }
        }
        return chunks;
    }

    /**
     * What an upload did.
     *
     * @param chunks distinct non-zero chunks the files hold
     * @param uploaded chunks the store lacked, now stored
     * @param uploadedBytes compressed bytes of the uploaded chunks
     * @param dataBytes raw bytes of the distinct non-zero chunks
     */
    record Upload(int chunks, int uploaded, long uploadedBytes, long dataBytes) {}

    /**
     * Stores every non-zero chunk of {@code files} (read from {@code sources}) that the store lacks.
     * Each chunk read is checked against its digest in {@code files} first, so a file changed after
     * it was described is refused rather than stored under the wrong name.
     */
    Upload upload(Map<String, Path> sources, Map<String, FileEntry> files) throws StoreException {
        Map<String, List<Place>> chunks = distinctChunks(files);
        AtomicLong uploaded = new AtomicLong();
        AtomicLong uploadedBytes = new AtomicLong();
        AtomicLong dataBytes = new AtomicLong();
        Map<String, FileChannel> channels = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> e : sources.entrySet()) {
                FileChannel channel = FileChannel.open(e.getValue(), StandardOpenOption.READ);
                channels.put(e.getKey(), channel);
                if (channel.size() != files.get(e.getKey()).size()) {
                    throw new StoreException(e.getValue() + " is " + channel.size() + " bytes but its entry says "
                            + files.get(e.getKey()).size() + ": the file changed after it was described; describe it"
                            + " again");
                }
            }
            BundleTransfer.runAll(new ArrayList<>(chunks.entrySet()), chunk -> {
                Place place = chunk.getValue().getFirst();
                FileEntry entry = files.get(place.name());
                dataBytes.addAndGet(entry.chunkLength(place.index()));
                String key = key(chunk.getKey());
                if (store.size(key).isPresent()) {
                    return null;
                }
                // Only non-zero chunks are planned, so the frame is never null: a chunk that reads as zeros no longer matches.
                byte[] frame = BundleTransfer.compressChunk(channels.get(place.name()), sources.get(place.name()), entry,
                        place.index());
                store.put(key, frame);
                uploaded.incrementAndGet();
                uploadedBytes.addAndGet(frame.length);
                return null;
            });
        } catch (IOException e) {
            throw new StoreException("cannot read the files to publish: " + e, e);
        } finally {
            for (FileChannel channel : channels.values()) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Only read from.
                }
            }
        }
        return new Upload(chunks.size(), (int) uploaded.get(), uploadedBytes.get(), dataBytes.get());
    }

    /**
     * Fetches {@code files} into {@code targetDir} from their chunks, verifying each chunk against
     * its digest before it is written. A file appears only once all its chunks are verified; on any
     * failure the files this fetch created are deleted.
     *
     * @param describe names the snapshot in errors
     * @throws CorruptBundleException if a chunk is missing, does not decode, or does not match its digest
     */
    FetchReport fetch(Map<String, FileEntry> files, Path targetDir, String describe) throws StoreException {
        long start = System.nanoTime();
        files.keySet().forEach(BundleTransfer::requireFileName);
        Map<String, List<Place>> chunks = distinctChunks(files);
        Map<String, BundleTransfer.Target> targets = new LinkedHashMap<>();
        List<Path> committed = new ArrayList<>();
        boolean done = false;
        AtomicLong fetched = new AtomicLong();
        try {
            Files.createDirectories(targetDir);
            for (Map.Entry<String, FileEntry> e : files.entrySet()) {
                targets.put(e.getKey(), BundleTransfer.Target.create(targetDir, e.getKey(), e.getValue().size()));
            }
            BundleTransfer.runAll(new ArrayList<>(chunks.entrySet()), chunk -> {
                Place first = chunk.getValue().getFirst();
                FileEntry entry = files.get(first.name());
                byte[] data = fetchChunk(chunk.getKey(), entry.chunkLength(first.index()), first, describe, fetched);
                for (Place place : chunk.getValue()) {
                    ByteBuffer buffer = ByteBuffer.wrap(data);
                    long position = (long) place.index() * files.get(place.name()).chunkSize();
                    FileChannel out = targets.get(place.name()).channel();
                    while (buffer.hasRemaining()) {
                        out.write(buffer, position + buffer.position());
                    }
                }
                return null;
            });
            for (BundleTransfer.Target target : targets.values()) {
                target.commit();
                committed.add(target.file());
            }
            done = true;
        } catch (IOException e) {
            throw new StoreException("cannot write the fetched files into " + targetDir + ": " + e, e);
        } finally {
            for (BundleTransfer.Target target : targets.values()) {
                target.discard();
            }
            if (!done) {
                committed.forEach(BundleTransfer::deleteQuietly);
            }
        }
        long raw = files.values().stream().mapToLong(FileEntry::size).sum();
        return new FetchReport(fetched.get(), raw, BundleTransfer.elapsedMs(start));
    }

    /** One chunk's raw bytes, verified; adds the bytes read from the store to {@code fetched}. */
    private byte[] fetchChunk(String digest, int length, Place place, String describe, AtomicLong fetched)
            throws StoreException {
        String where = "chunk " + place.index() + " of " + place.name() + " of " + describe + " (" + key(digest) + ")";
        return fetchVerified(digest, length, place.index(), where, fetched);
    }

    /**
     * One chunk's raw bytes, fetched with one GET, decoded to exactly {@code length} bytes and
     * checked against {@code digest}; adds the stored bytes read to {@code fetched}. A chunk object
     * that does not match its name is deleted (see {@link #discardBad}).
     *
     * @param index the chunk's index in its file, for errors
     * @param where names the chunk in errors
     * @throws CorruptBundleException if the chunk is missing, too large, does not decode or does not match
     */
    byte[] fetchVerified(String digest, int length, int index, String where, AtomicLong fetched)
            throws StoreException {
        String key = key(digest);
        byte[] frame;
        try {
            if (store instanceof CheckedChunkSource sources) {
                Optional<byte[]> checked = sources.checkedChunk(digest, length, fetched);
                if (checked.isPresent()) {
                    return checked.get(); // decoded and hashed once, where it was received
                }
                frame = sources.chunkFromStore(key);
            } else {
                frame = store.get(key);
            }
        } catch (ObjectNotFoundException e) {
            throw new CorruptBundleException(where + " is missing from " + store.describe()
                    + "; the snapshot is incomplete and will be published again");
        }
        fetched.addAndGet(frame.length);
        if (frame.length == 0 || frame.length > PackIndex.MAX_FRAME_BYTES) {
            discardBad(key);
            throw new CorruptBundleException(where + " is " + frame.length + " bytes; a chunk of " + length
                    + " bytes is stored in 1 to " + PackIndex.MAX_FRAME_BYTES);
        }
        byte[] data;
        try {
            data = BundleTransfer.decode(key, index, frame, 0, frame.length, length);
        } catch (CorruptBundleException e) {
            discardBad(key);
            throw new CorruptBundleException(where + ": " + e.getMessage(), e);
        }
        String actual = FileDigests.sha256Hex(ByteBuffer.wrap(data));
        if (!actual.equals(digest)) {
            discardBad(key);
            throw new CorruptBundleException(where + " does not match its SHA-256 (expected " + digest + ", got "
                    + actual + ")");
        }
        return data;
    }

    /**
     * A chunk object whose bytes do not hash to its name is wrong for every manifest that names it,
     * and publishers skip chunks that exist: removing it lets the next publish store it again.
     */
    private void discardBad(String key) {
        try {
            store.delete(key);
        } catch (StoreException ignored) {
            // The fetch fails either way; the next one tries again.
        }
    }
}
