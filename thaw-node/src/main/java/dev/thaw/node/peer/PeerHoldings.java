package dev.thaw.node.peer;

import com.github.luben.zstd.Zstd;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.node.NodeRuntime;
import dev.thaw.snapshot.cache.Lease;
import dev.thaw.snapshot.store.StoreKeys;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.wire.v1.node.CacheKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node serves to peers, read from its caches only: the manifest of a whole snapshot in
 * its node cache (signed here with the node's key, as the node would sign it for the store), and
 * chunks by SHA-256 from its chunk cache or from the whole snapshots in its node cache. A chunk is
 * found through a cached manifest's digest list, never through a path from the request; it is
 * served as the store holds it, one zstd frame, and the reader verifies it against its digest.
 */
public final class PeerHoldings {
    /** The level chunks are stored in the store with: a peer's frame is then no larger than the store's. */
    private static final int ZSTD_LEVEL = 3;
    /** Frames kept for the next peer asking for the same chunk: a burst's worth of a small function's working set. */
    private static final long FRAME_CACHE_BYTES = 64L << 20;

    /** A signed manifest as the store would hold it: {@code info.json} and {@code info.sig}. */
    public record Manifest(byte[] json, byte[] signature) {
    }

    private final NodeRuntime runtime;
    private final NodeKey key;
    /** Manifests of the whole snapshots cached here, by cache key; pruned to what the cache holds. */
    private final Map<String, SnapshotInfo> manifests = new ConcurrentHashMap<>();
    private final FrameCache frames = new FrameCache(FRAME_CACHE_BYTES);

    public PeerHoldings(NodeRuntime runtime, NodeKey key) {
        this.runtime = runtime;
        this.key = key;
    }

    /** The signed manifest of the revision's snapshot when this node's cache holds all of it. */
    public Optional<Manifest> manifest(String function, String revision) throws IOException {
        Optional<Lease> lease = runtime.leaseSnapshot(function, revision);
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        SnapshotInfo info;
        try (Lease held = lease.get()) {
            info = SnapshotInfo.read(held.dir().resolve(SnapshotInfo.FILE_NAME));
        } catch (SnapshotFormatException e) {
            throw new IOException("the cached snapshot of " + function + "/" + revision + " is unreadable: "
                    + e.getMessage(), e);
        }
        byte[] json = (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        String infoKey = StoreKeys.snapshotPrefix(function, revision) + SnapshotInfo.FILE_NAME;
        return Optional.of(new Manifest(json, InfoSignature.sign(key, infoKey, json).toJson()));
    }

    /** The zstd frame of the chunk with SHA-256 {@code digest}, when this node holds it. */
    public Optional<byte[]> chunkFrame(String digest) throws IOException {
        Optional<Path> inChunkCache = runtime.chunkCache().flatMap(c -> c.file(digest));
        Optional<Location> inSnapshot = inChunkCache.isPresent() ? Optional.empty() : locate(digest);
        if (inChunkCache.isEmpty() && inSnapshot.isEmpty()) {
            return Optional.empty(); // a frame kept from before is served only while the chunk is held
        }
        Optional<byte[]> cached = frames.get(digest);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<byte[]> raw = inChunkCache.isPresent() ? fromChunkCache(inChunkCache.get()) : Optional.empty();
        if (raw.isEmpty()) {
            raw = fromSnapshot(inSnapshot.isPresent() ? inSnapshot : locate(digest));
        }
        Optional<byte[]> frame = raw.map(PeerHoldings::compress);
        frame.ifPresent(f -> frames.put(digest, f));
        return frame;
    }

    /** Chunk requests answered from frames compressed for an earlier request, and those compressed anew. */
    public long[] frameCacheHitsAndMisses() {
        return new long[] {frames.hits(), frames.misses()};
    }

    private static Optional<byte[]> fromChunkCache(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size > FileEntry.MAX_CHUNK_SIZE) {
                return Optional.empty();
            }
            return Optional.of(read(in, 0, (int) size));
        } catch (NoSuchFileException evicted) {
            return Optional.empty();
        }
    }

    /** Where a whole cached snapshot holds the chunk: its revision, file, and the chunk's place in it. */
    private record Location(String function, String revision, String file, long offset, int length) {
    }

    private Optional<Location> locate(String digest) throws IOException {
        List<String> keys = runtime.cachedSnapshotKeys();
        manifests.keySet().retainAll(keys);
        for (String cacheKey : keys) {
            String[] revision = CacheKeys.revision(cacheKey).orElseThrow();
            SnapshotInfo info = manifests.get(cacheKey);
            if (info == null) {
                info = readManifest(revision[0], revision[1]).orElse(null);
                if (info == null) {
                    continue;
                }
                manifests.put(cacheKey, info);
            }
            for (Map.Entry<String, FileEntry> file : info.files().entrySet()) {
                int index = file.getValue().chunks().indexOf(digest);
                if (index >= 0) {
                    FileEntry entry = file.getValue();
                    return Optional.of(new Location(revision[0], revision[1], file.getKey(),
                            (long) index * entry.chunkSize(), entry.chunkLength(index)));
                }
            }
        }
        return Optional.empty();
    }

    private Optional<byte[]> fromSnapshot(Optional<Location> location) throws IOException {
        if (location.isEmpty()) {
            return Optional.empty();
        }
        Location at = location.get();
        Optional<Lease> lease = runtime.leaseSnapshot(at.function(), at.revision());
        if (lease.isEmpty()) {
            return Optional.empty(); // evicted meanwhile
        }
        try (Lease held = lease.get();
                FileChannel in = FileChannel.open(held.dir().resolve(at.file()), StandardOpenOption.READ)) {
            return Optional.of(read(in, at.offset(), at.length()));
        }
    }

    private Optional<SnapshotInfo> readManifest(String function, String revision) throws IOException {
        Optional<Lease> lease = runtime.leaseSnapshot(function, revision);
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        try (Lease held = lease.get()) {
            return Optional.of(SnapshotInfo.read(held.dir().resolve(SnapshotInfo.FILE_NAME)));
        } catch (SnapshotFormatException e) {
            return Optional.empty();
        }
    }

    private static byte[] read(FileChannel in, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("a cached chunk ends early: " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.array();
    }

    private static byte[] compress(byte[] raw) {
        byte[] frame = new byte[(int) Zstd.compressBound(raw.length)];
        long size = Zstd.compressByteArray(frame, 0, frame.length, raw, 0, raw.length, ZSTD_LEVEL);
        return Arrays.copyOf(frame, (int) size);
    }
}
