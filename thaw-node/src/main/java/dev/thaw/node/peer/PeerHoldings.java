package dev.thaw.node.peer;

import com.github.luben.zstd.Zstd;
import dev.thaw.api.Json;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.api.SnapshotInfo.FileEntry;
import dev.thaw.node.NodeRuntime;
import dev.thaw.snapshot.cache.Lease;
import dev.thaw.snapshot.lazy.ChunkCache;
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

    /** A signed manifest as the store would hold it: {@code info.json} and {@code info.sig}. */
    public record Manifest(byte[] json, byte[] signature) {
    }

    private final NodeRuntime runtime;
    private final NodeKey key;
    /** Manifests of the whole snapshots cached here, by cache key; pruned to what the cache holds. */
    private final Map<String, SnapshotInfo> manifests = new ConcurrentHashMap<>();

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
        Optional<byte[]> raw = fromChunkCache(digest);
        if (raw.isEmpty()) {
            raw = fromSnapshots(digest);
        }
        return raw.map(PeerHoldings::compress);
    }

    private Optional<byte[]> fromChunkCache(String digest) throws IOException {
        Optional<ChunkCache> chunks = runtime.chunkCache();
        Optional<Path> file = chunks.flatMap(c -> c.file(digest));
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try (FileChannel in = FileChannel.open(file.get(), StandardOpenOption.READ)) {
            long size = in.size();
            if (size > FileEntry.MAX_CHUNK_SIZE) {
                return Optional.empty();
            }
            return Optional.of(read(in, 0, (int) size));
        } catch (NoSuchFileException evicted) {
            return Optional.empty();
        }
    }

    private Optional<byte[]> fromSnapshots(String digest) throws IOException {
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
                if (index < 0) {
                    continue;
                }
                Optional<Lease> lease = runtime.leaseSnapshot(revision[0], revision[1]);
                if (lease.isEmpty()) {
                    break; // evicted meanwhile
                }
                try (Lease held = lease.get();
                        FileChannel in = FileChannel.open(held.dir().resolve(file.getKey()), StandardOpenOption.READ)) {
                    FileEntry entry = file.getValue();
                    return Optional.of(read(in, (long) index * entry.chunkSize(), entry.chunkLength(index)));
                }
            }
        }
        return Optional.empty();
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
