package dev.thaw.snapshot.store;

import com.github.luben.zstd.Zstd;
import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves a bundle of files (an image layer) between a local directory and an {@link ObjectStore};
 * snapshots are stored as shared chunks instead ({@link ChunkTransfer}).
 *
 * <p>Layout at a prefix: {@code <file>.zst} holds the file's non-zero chunks, each an
 * independent zstd frame, in chunk order; {@code pack.json} ({@link PackIndex}) says where
 * each frame is; {@code info.json} is written last, so a bundle exists for readers only once
 * it is complete. Independent frames let a fetch issue parallel ranged GETs and verify each
 * chunk against its SHA-256 on its own; zero chunks (most of guest memory) never travel.
 */
public final class BundleTransfer {

    public static final String INFO_JSON = SnapshotInfo.FILE_NAME;
    public static final String PACKED_SUFFIX = ".zst";
    /** Marks a bundle being published; see {@link #claim}. */
    public static final String CLAIM = "publishing.json";
    static final java.time.Duration STALE_CLAIM = java.time.Duration.ofMinutes(15);
    static final int ZSTD_LEVEL = 3;
    /** Contiguous frames are fetched together, up to this many bytes per GET. */
    static final int MAX_REQUEST_BYTES = 8 << 20;
    /** Ranged GETs in flight at once. */
    static final int FETCH_PARALLELISM = 8;

    private final ObjectStore store;
    private final java.time.InstantSource clock;
    private final int compressThreads;
    /** Where packed files wait for their upload; null: the system's temporary directory. */
    private final Path spool;

    public BundleTransfer(ObjectStore store) {
        this(store, java.time.InstantSource.system());
    }

    /** With {@code clock} to judge when a publication claim is stale. */
    public BundleTransfer(ObjectStore store, java.time.InstantSource clock) {
        this(store, clock, null);
    }

    /**
     * @param spool where packed files wait for their upload (null: the system's temporary directory); an
     *     owner that empties it when it starts leaves nothing behind after being killed mid-upload
     */
    public BundleTransfer(ObjectStore store, java.time.InstantSource clock, Path spool) {
        this.store = store;
        this.clock = clock;
        this.spool = spool;
        this.compressThreads = Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Publishes {@code files} from {@code dir} under {@code prefix}: packed objects, then
     * {@code pack.json}, then {@code infoJson} as {@code info.json}. An older {@code info.json}
     * at the prefix is deleted first, so readers never pair it with new data.
     *
     * @throws StoreException if the store fails, or a file cannot be read or no longer matches its entry
     */
    public PublishReport publish(String prefix, Path dir, Map<String, FileEntry> files, byte[] infoJson)
            throws StoreException {
        return publish(prefix, dir, files, infoJson, null);
    }

    /**
     * Like {@link #publish(String, Path, Map, byte[])}, and stores {@code signature} (when not null)
     * as {@value dev.thaw.snapshot.trust.InfoSignature#FILE_NAME} just before {@code info.json}.
     */
    public PublishReport publish(String prefix, Path dir, Map<String, FileEntry> files, byte[] infoJson,
            byte[] signature) throws StoreException {
        Map<String, Path> sources = new LinkedHashMap<>();
        files.keySet().forEach(name -> sources.put(name, dir.resolve(name)));
        return publish(prefix, sources, files, infoJson, signature);
    }

    /** Like {@link #publish(String, Path, Map, byte[])}, with each file's local path given: {@code sources} maps file names to paths. */
    public PublishReport publish(String prefix, Map<String, Path> sources, Map<String, FileEntry> files, byte[] infoJson)
            throws StoreException {
        return publish(prefix, sources, files, infoJson, null);
    }

    private PublishReport publish(String prefix, Map<String, Path> sources, Map<String, FileEntry> files,
            byte[] infoJson, byte[] signature) throws StoreException {
        long start = System.nanoTime();
        if (!sources.keySet().equals(files.keySet())) {
            throw new IllegalArgumentException("sources " + sources.keySet() + " and entries " + files.keySet()
                    + " must name the same files");
        }
        requireBundlePrefix(prefix);
        files.keySet().forEach(BundleTransfer::requireFileName);
        String claim = prefix + CLAIM;
        if (!claim(claim)) {
            return PublishReport.skipped(files.values().stream().mapToLong(FileEntry::size).sum(), elapsedMs(start));
        }
        try {
            return publishClaimed(prefix, sources, files, infoJson, signature, start);
        } finally {
            store.delete(claim);
        }
    }

    /**
     * One publisher per bundle at a time: two nodes that snapshot one revision at once would
     * otherwise overwrite each other's objects under one prefix and leave an {@code info.json}
     * paired with the other's data. The claim is created atomically ({@link ObjectStore#create});
     * the loser skips, since either snapshot of a revision serves. A claim older than
     * {@link #STALE_CLAIM} is a publisher that died, and is taken over.
     */
    boolean claim(String key) throws StoreException {
        byte[] now = clock.instant().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (store.create(key, now)) {
            return true;
        }
        java.time.Instant since;
        try {
            since = java.time.Instant.parse(new String(store.get(key), java.nio.charset.StandardCharsets.UTF_8)
                    .strip());
        } catch (ObjectNotFoundException e) {
            return store.create(key, now); // the other publisher just finished
        } catch (java.time.format.DateTimeParseException e) {
            since = java.time.Instant.EPOCH; // not a claim this code wrote: take it over
        }
        if (since.plus(STALE_CLAIM).isAfter(clock.instant())) {
            return false;
        }
        store.delete(key);
        return store.create(key, now);
    }

    private PublishReport publishClaimed(String prefix, Map<String, Path> sources, Map<String, FileEntry> files,
            byte[] infoJson, byte[] signature, long start) throws StoreException {
        store.delete(prefix + INFO_JSON);

        Map<String, PackIndex.PackedFile> packed = new LinkedHashMap<>();
        long raw = 0;
        long stored = 0;
        long data = 0;
        ExecutorService pool = Executors.newFixedThreadPool(compressThreads,
                Thread.ofPlatform().name("thaw-pack-", 0).daemon().factory());
        try {
            for (Map.Entry<String, FileEntry> e : files.entrySet()) {
                String name = e.getKey();
                String object = name + PACKED_SUFFIX;
                Path temp = createTemp();
                try {
                    Packed result = pack(pool, sources.get(name), e.getValue(), temp);
                    store.put(prefix + object, temp);
                    packed.put(name, new PackIndex.PackedFile(object, result.chunks()));
                    raw += e.getValue().size();
                    stored += result.packedBytes();
                    data += result.dataBytes();
                } finally {
                    deleteQuietly(temp);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] packJson = new PackIndex(PackIndex.FORMAT_VERSION, packed).toJson();
        store.put(prefix + PackIndex.FILE_NAME, packJson);
        stored += packJson.length;
        if (signature != null) {
            store.put(prefix + dev.thaw.snapshot.trust.InfoSignature.FILE_NAME, signature);
        }
        store.put(prefix + INFO_JSON, infoJson);
        return new PublishReport(raw, stored, data, elapsedMs(start), false);
    }

    private record Packed(List<PackIndex.Chunk> chunks, long packedBytes, long dataBytes) {}

    // Compresses chunks in parallel but writes them in order, with a bounded window of
    // chunks in memory so that a multi-GiB file does not need multi-GiB of heap.
    private Packed pack(ExecutorService pool, Path file, FileEntry entry, Path temp) throws StoreException {
        List<PackIndex.Chunk> chunks = new ArrayList<>();
        long offset = 0;
        long dataBytes = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            if (in.size() != entry.size()) {
                throw new StoreException(file + " is " + in.size() + " bytes but its entry says " + entry.size()
                        + ": the file changed after it was described; describe it again");
            }
            Deque<Future<byte[]>> window = new ArrayDeque<>();
            int count = entry.chunks().size();
            int next = 0;
            for (int done = 0; done < count; done++) {
                while (next < count && window.size() < compressThreads * 2) {
                    int index = next++;
                    window.add(pool.submit(() -> compressChunk(in, file, entry, index)));
                }
                byte[] frame = await(window.poll(), file);
                if (frame == null) {
                    chunks.add(null);
                    continue;
                }
                ByteBuffer buffer = ByteBuffer.wrap(frame);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                chunks.add(new PackIndex.Chunk(offset, frame.length));
                offset += frame.length;
                dataBytes += entry.chunkLength(done);
            }
        } catch (IOException e) {
            throw new StoreException("cannot pack " + file + ": " + e, e);
        }
        return new Packed(chunks, offset, dataBytes);
    }

    /**
     * The chunk's zstd frame, or null when it is all zeros; fails when the chunk no longer matches the digest its
     * entry gives it.
     */
    static byte[] compressChunk(FileChannel in, Path file, FileEntry entry, int index) throws IOException {
        int length = entry.chunkLength(index);
        long position = (long) index * entry.chunkSize();
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException(file + " shrank while it was published");
            }
        }
        byte[] bytes = buffer.array();
        boolean zero = FileDigests.isZero(MemorySegment.ofArray(bytes), length);
        String actual = zero ? FileDigests.zeroChunkSha256(length) : FileDigests.sha256Hex(ByteBuffer.wrap(bytes));
        if (!actual.equals(entry.chunks().get(index))) {
            throw new IOException(file + " chunk " + index + " does not match its SHA-256 in the entry:"
                    + " the file changed after it was described; describe it again");
        }
        if (zero) {
            return null;
        }
        byte[] frame = new byte[(int) Zstd.compressBound(length)];
        long size = Zstd.compressByteArray(frame, 0, frame.length, bytes, 0, length, ZSTD_LEVEL);
        return Arrays.copyOf(frame, (int) size);
    }

    private static <T> T await(Future<T> future, Path file) throws StoreException, IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while packing " + file, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /**
     * Fetches the bundle at {@code prefix} into {@code targetDir}, verifying every chunk against
     * {@code files}. A file appears in {@code targetDir} only when all its chunks are verified;
     * on any failure the files this fetch created are deleted.
     *
     * @throws CorruptBundleException if the bundle does not match {@code files}
     * @throws StoreException if the store fails or the target cannot be written
     */
    public FetchReport fetch(String prefix, Map<String, FileEntry> files, Path targetDir) throws StoreException {
        long start = System.nanoTime();
        requireBundlePrefix(prefix);
        files.keySet().forEach(BundleTransfer::requireFileName);
        PackIndex index = readIndex(prefix, files);
        List<Request> requests = plan(prefix, index);

        Map<String, Target> targets = new LinkedHashMap<>();
        List<Path> committed = new ArrayList<>();
        boolean done = false;
        AtomicLong fetched = new AtomicLong();
        try {
            Files.createDirectories(targetDir);
            for (Map.Entry<String, FileEntry> e : files.entrySet()) {
                targets.put(e.getKey(), Target.create(targetDir, e.getKey(), e.getValue().size()));
            }
            runAll(requests, request -> {
                fetchRequest(request, files.get(request.file()), targets.get(request.file()).channel());
                fetched.addAndGet(request.length());
                return null;
            });
            for (Target target : targets.values()) {
                target.commit();
                committed.add(target.file());
            }
            done = true;
        } catch (IOException e) {
            throw new StoreException("cannot write the fetched files into " + targetDir + ": " + e, e);
        } finally {
            for (Target target : targets.values()) {
                target.discard();
            }
            if (!done) {
                committed.forEach(BundleTransfer::deleteQuietly);
            }
        }
        long raw = files.values().stream().mapToLong(FileEntry::size).sum();
        return new FetchReport(fetched.get(), raw, elapsedMs(start));
    }

    /** Reads {@code pack.json} and checks it against the expected files before anything is downloaded. */
    private PackIndex readIndex(String prefix, Map<String, FileEntry> files) throws StoreException {
        String key = prefix + PackIndex.FILE_NAME;
        byte[] json;
        try {
            json = store.get(key);
        } catch (ObjectNotFoundException e) {
            throw new CorruptBundleException(key + " is missing from " + store.describe()
                    + ": the bundle is incomplete; publish it again", e);
        }
        PackIndex index = PackIndex.parse(key, json);
        if (!index.files().keySet().equals(new TreeSet<>(files.keySet()))) {
            throw new CorruptBundleException(key + " lists files " + index.files().keySet() + " but the metadata lists "
                    + new TreeSet<>(files.keySet()));
        }
        for (Map.Entry<String, PackIndex.PackedFile> e : index.files().entrySet()) {
            FileEntry entry = files.get(e.getKey());
            PackIndex.PackedFile packed = e.getValue();
            String object = prefix + packed.object();
            StoreKeys.requireKey(object);
            if (packed.chunks().size() != entry.chunks().size()) {
                throw new CorruptBundleException(key + ": file '" + e.getKey() + "' has " + packed.chunks().size()
                        + " chunks but its metadata has " + entry.chunks().size());
            }
            OptionalLong size = store.size(object);
            if (size.isEmpty()) {
                throw new CorruptBundleException("object " + object + " is missing: the bundle is incomplete; publish it again");
            }
            for (int i = 0; i < packed.chunks().size(); i++) {
                PackIndex.Chunk chunk = packed.chunks().get(i);
                if (chunk == null) {
                    if (!entry.chunks().get(i).equals(FileDigests.zeroChunkSha256(entry.chunkLength(i)))) {
                        throw new CorruptBundleException(key + ": chunk " + i + " of " + object
                                + " is marked all-zero but its digest says it holds data");
                    }
                } else if (chunk.offset() + chunk.length() > size.getAsLong()) {
                    throw new CorruptBundleException(key + ": chunk " + i + " of " + object + " lies at "
                            + chunk.offset() + "+" + chunk.length() + ", past the object's end at " + size.getAsLong());
                }
            }
        }
        return index;
    }

    /** One ranged GET: consecutive frames of one file. */
    private record Request(String file, String object, long offset, int length, List<Integer> chunks,
                           List<PackIndex.Chunk> frames) {}

    // Merges frames that are adjacent in the object into GETs of up to MAX_REQUEST_BYTES.
    private static List<Request> plan(String prefix, PackIndex index) {
        List<Request> requests = new ArrayList<>();
        for (Map.Entry<String, PackIndex.PackedFile> e : index.files().entrySet()) {
            String object = prefix + e.getValue().object();
            List<PackIndex.Chunk> chunks = e.getValue().chunks();
            List<Integer> run = new ArrayList<>();
            List<PackIndex.Chunk> frames = new ArrayList<>();
            long runStart = 0;
            long runEnd = 0;
            for (int i = 0; i <= chunks.size(); i++) {
                PackIndex.Chunk chunk = i < chunks.size() ? chunks.get(i) : null;
                boolean extendsRun = chunk != null && !run.isEmpty() && chunk.offset() == runEnd
                        && runEnd - runStart + chunk.length() <= MAX_REQUEST_BYTES;
                if (!run.isEmpty() && !extendsRun) {
                    requests.add(new Request(e.getKey(), object, runStart, (int) (runEnd - runStart),
                            List.copyOf(run), List.copyOf(frames)));
                    run.clear();
                    frames.clear();
                }
                if (chunk != null) {
                    if (run.isEmpty()) {
                        runStart = chunk.offset();
                    }
                    run.add(i);
                    frames.add(chunk);
                    runEnd = chunk.offset() + chunk.length();
                }
            }
        }
        return requests;
    }

    private void fetchRequest(Request request, FileEntry entry, FileChannel out) throws StoreException, IOException {
        byte[] bytes = store.getRange(request.object(), request.offset(), request.length());
        if (bytes.length != request.length()) {
            throw new CorruptBundleException("short read of " + request.object() + " at chunk " + request.chunks().getFirst()
                    + ": got " + bytes.length + " of " + request.length() + " bytes from offset " + request.offset());
        }
        for (int k = 0; k < request.chunks().size(); k++) {
            int chunk = request.chunks().get(k);
            PackIndex.Chunk frame = request.frames().get(k);
            byte[] data = decode(request.object(), chunk, bytes, (int) (frame.offset() - request.offset()),
                    frame.length(), entry.chunkLength(chunk));
            String actual = FileDigests.sha256Hex(ByteBuffer.wrap(data));
            if (!actual.equals(entry.chunks().get(chunk))) {
                throw new CorruptBundleException("chunk " + chunk + " of " + request.object()
                        + " does not match its SHA-256 (expected " + entry.chunks().get(chunk) + ", got " + actual + ")");
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long position = (long) chunk * entry.chunkSize();
            while (buffer.hasRemaining()) {
                out.write(buffer, position + buffer.position());
            }
        }
    }

    static byte[] decode(String object, int chunk, byte[] src, int offset, int length, int expected)
            throws CorruptBundleException {
        byte[] data = new byte[expected];
        long size;
        try {
            long frameSize = Zstd.findFrameCompressedSize(src, offset, length);
            if (frameSize != length) {
                throw new CorruptBundleException("chunk " + chunk + " of " + object + " is not one zstd frame of "
                        + length + " bytes (frame size " + frameSize + ")");
            }
            size = Zstd.decompressByteArray(data, 0, expected, src, offset, length);
        } catch (RuntimeException e) {
            // zstd-jni reports bad frames and oversized output as ZstdException.
            throw new CorruptBundleException("chunk " + chunk + " of " + object + " is not a valid zstd frame of "
                    + expected + " bytes: " + e.getMessage(), e);
        }
        if (size != expected) {
            throw new CorruptBundleException("chunk " + chunk + " of " + object + " decompresses to " + size
                    + " bytes, expected " + expected);
        }
        return data;
    }

    interface Work<T> {
        Void run(T item) throws StoreException, IOException;
    }

    // Runs every request on a bounded pool; the first failure cancels the rest.
    static <T> void runAll(List<T> items, Work<T> work) throws StoreException, IOException {
        if (items.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(FETCH_PARALLELISM, items.size()),
                Thread.ofPlatform().name("thaw-fetch-", 0).daemon().factory());
        ExecutorCompletionService<Void> completion = new ExecutorCompletionService<>(pool);
        try {
            for (T item : items) {
                Callable<Void> task = () -> work.run(item);
                completion.submit(task);
            }
            for (int i = 0; i < items.size(); i++) {
                try {
                    completion.take().get();
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while fetching", e);
        } finally {
            pool.shutdownNow();
            try {
                // Writers must be gone before the caller deletes their files.
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static StoreException rethrow(Throwable cause) throws StoreException, IOException {
        if (cause instanceof StoreException s) {
            throw s;
        }
        if (cause instanceof IOException io) {
            throw io;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        throw new StoreException("unexpected failure: " + cause, cause);
    }

    /** A file being fetched: written under a hidden temporary name, renamed once verified. */
    static final class Target {
        private final Path file;
        private final Path temp;
        private final FileChannel channel;
        private boolean open = true;

        private Target(Path file, Path temp, FileChannel channel) {
            this.file = file;
            this.temp = temp;
            this.channel = channel;
        }

        static Target create(Path dir, String name, long size) throws IOException {
            Path temp = dir.resolve("." + name + ".fetching");
            Files.deleteIfExists(temp);
            // setLength extends without writing, so chunks never written (zero chunks) stay holes.
            try (RandomAccessFile raf = new RandomAccessFile(temp.toFile(), "rw")) {
                raf.setLength(size);
            }
            return new Target(dir.resolve(name), temp, FileChannel.open(temp, StandardOpenOption.WRITE));
        }

        FileChannel channel() {
            return channel;
        }

        Path file() {
            return file;
        }

        void commit() throws IOException {
            channel.close();
            open = false;
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        void discard() {
            if (open) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // Deleting it is what matters.
                }
                open = false;
            }
            deleteQuietly(temp);
        }
    }

    static void requireBundlePrefix(String prefix) {
        StoreKeys.requirePrefix(prefix);
        if (prefix.isEmpty() || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("bundle prefix must be non-empty and end with '/', got '" + prefix + "'");
        }
    }

    // File names become local paths and keys: one plain name each, never a path.
    static void requireFileName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.contains("..") || name.contains("/")
                || name.contains("\\") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bundle file name " + (name == null ? "null" : "'" + name + "'")
                    + " is not a plain file name (no '/', '\\', '..')");
        }
    }

    private Path createTemp() throws StoreException {
        try {
            return spool == null ? Files.createTempFile("thaw-pack-", PACKED_SUFFIX)
                    : Files.createTempFile(spool, "thaw-pack-", PACKED_SUFFIX);
        } catch (IOException e) {
            throw new StoreException("cannot create a temporary file in "
                    + (spool == null ? System.getProperty("java.io.tmpdir") : spool) + ": " + e, e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Best effort: the original outcome is what is reported.
        }
    }

    static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
