package dev.thaw.bench;

import com.github.luben.zstd.Zstd;
import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.node.FunctionDeployment;
import dev.thaw.node.Instance;
import dev.thaw.node.NodeConfig;
import dev.thaw.node.NodeRuntime;
import dev.thaw.node.NodeStartException;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.StartTier;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.store.StoreKeys;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What content-addressed chunks save: functions are published one after another into one store,
 * and for each the bytes the store's snapshots (manifests and chunks) grew by and the bytes a node
 * that already holds the earlier ones would fetch are measured; image layers are counted apart. Then the published snapshots are fetched back and cut again at
 * several chunk sizes, to weigh deduplication against the number of chunk objects (requests).
 */
public final class DedupBenchmark {
    private static final Duration INVOKE_TIMEOUT = Duration.ofSeconds(30);
    private static final long BUDGET = 8L << 30;
    /** The chunk sizes compared: page-aligned, 64 KiB to 1 MiB. */
    public static final List<Integer> CHUNK_SIZES = List.of(64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20);
    private static final int ZSTD_LEVEL = 3;

    private final SandboxDriver driver;
    private final ObjectStore objects;

    public DedupBenchmark(SandboxDriver driver, ObjectStore objects) {
        this.driver = driver;
        this.objects = objects;
    }

    /** One function to publish, in order. */
    public record Subject(String name, FunctionDeployment deployment, byte[] body) {}

    /**
     * @param storedBytesAdded what the store grew by when this snapshot was published
     * @param nodeBytesAdded what a node that holds the earlier snapshots fetches for this one: its
     *     manifest and signature, and the chunks none of the earlier ones holds
     * @param snapshotStoredBytes what this snapshot occupies in the store, shared chunks included
     * @param chunks its distinct non-zero chunks
     * @param newChunks of those, the ones the store lacked
     * @param imageBytesAdded what the store grew by when the function's images were published (their manifests
     *     and the chunks they added)
     */
    public record Function(String name, String function, String revision, long storedBytesAdded,
            long nodeBytesAdded, long snapshotStoredBytes, int chunks, int newChunks, long imageBytesAdded) {}

    /**
     * The snapshots cut at one chunk size.
     *
     * @param chunks non-zero chunks summed over the snapshots (each snapshot's distinct ones)
     * @param distinctChunks chunk objects the store holds for all of them
     * @param storedBytes their compressed bytes
     * @param perSnapshotBytes the compressed bytes the snapshots would take stored apart
     * @param firstChunks chunk objects a node fetches for the first snapshot (requests of a remote start)
     * @param addedBytes per snapshot after the first, compressed bytes of chunks no earlier one has
     */
    public record ChunkSize(int chunkSize, long chunks, long distinctChunks, long storedBytes, long perSnapshotBytes,
            long firstChunks, long firstBytes, List<Long> addedBytes) {

        public double dedupRatio() {
            return perSnapshotBytes / (double) storedBytes;
        }
    }

    /**
     * @param pageDiffs for each snapshot after the first, its guest memory against the first's
     */
    public record Result(long firstStoredBytes, List<Function> functions, List<ChunkSize> chunkSizes,
            List<PageDiff> pageDiffs) {}

    public Result run(List<Subject> subjects, Path workDir) throws IOException, NodeStartException, SandboxException,
            StoreException, SnapshotFormatException, InterruptedException {
        NodeKey key = NodeKey.generate("dedup");
        SnapshotStore store = new SnapshotStore(objects, key);
        List<Function> functions = new ArrayList<>();
        List<SnapshotInfo> infos = new ArrayList<>();
        Set<String> earlier = new HashSet<>();
        for (Subject subject : subjects) {
            long imagesBefore = totalBytes(StoreKeys.IMAGES) + totalBytes(ChunkTransfer.CHUNKS);
            long imagesAdded;
            long before;
            // A node of its own per function, as a function's first start on some node: boots, snapshots, publishes.
            try (NodeRuntime node = NodeRuntime.open(new NodeConfig("dedup-" + functions.size(), SnapshotMode.REMOTE,
                    workDir.resolve("node-" + functions.size()), BUDGET, 0), driver, Optional.of(store))) {
                // Image layers are chunks too: what they add is counted apart from the snapshot's.
                node.deploy(subject.deployment());
                imagesAdded = totalBytes(StoreKeys.IMAGES) + totalBytes(ChunkTransfer.CHUNKS) - imagesBefore;
                before = totalBytes(StoreKeys.SNAPSHOTS) + totalBytes(ChunkTransfer.CHUNKS);
                boot(node, subject);
                node.awaitPublications();
            }
            long after = totalBytes(StoreKeys.SNAPSHOTS) + totalBytes(ChunkTransfer.CHUNKS);
            SnapshotInfo info = store.findSnapshot(subject.deployment().function(), subject.deployment().revision())
                    .orElseThrow(() -> new IllegalStateException(subject.name() + ": the snapshot was not published;"
                            + " see the log above"));
            String prefix = "snapshots/" + info.function() + "/" + info.revision() + "/";
            long node = objects.size(prefix + SnapshotInfo.FILE_NAME).orElse(0)
                    + objects.size(prefix + InfoSignature.FILE_NAME).orElse(0);
            Set<String> chunks = distinct(info);
            int fresh = 0;
            for (String digest : chunks) {
                if (!earlier.contains(digest)) {
                    node += objects.size(ChunkTransfer.key(digest)).orElse(0);
                    fresh++;
                }
            }
            earlier.addAll(chunks);
            infos.add(info);
            functions.add(new Function(subject.name(), info.function(), info.revision(), after - before, node,
                    store.storedBytes(info), chunks.size(), fresh, imagesAdded));
        }
        List<Path> dirs = new ArrayList<>();
        for (SnapshotInfo info : infos) {
            Path dir = workDir.resolve("fetched-" + dirs.size());
            store.fetchSnapshot(info, dir);
            dirs.add(dir);
        }
        List<ChunkSize> sizes = new ArrayList<>();
        for (int chunkSize : CHUNK_SIZES) {
            sizes.add(cut(infos, dirs, chunkSize));
        }
        List<PageDiff> pageDiffs = new ArrayList<>();
        for (int i = 1; i < dirs.size(); i++) {
            pageDiffs.add(PageDiff.of(dirs.getFirst().resolve(LocalSnapshot.MEMORY), dirs.get(i).resolve(LocalSnapshot.MEMORY)));
        }
        return new Result(functions.getFirst().storedBytesAdded(), functions, sizes, pageDiffs);
    }

    private void boot(NodeRuntime node, Subject subject) throws NodeStartException, SandboxException {
        try (Instance instance = node.start(subject.deployment())) {
            if (instance.start().tier() != StartTier.BOOT) {
                throw new IllegalStateException(subject.name() + ": expected a boot, got "
                        + instance.start().tier().label() + ": " + instance.start().fallbacks());
            }
            InvocationResult result = instance.invoke(subject.body(), INVOKE_TIMEOUT);
            if (!result.ok()) {
                throw new SandboxException(subject.name() + ": the invocation failed: " + result.error() + "\n"
                        + new String(result.body(), StandardCharsets.UTF_8));
            }
        }
    }

    private static Set<String> distinct(SnapshotInfo info) {
        Set<String> chunks = new HashSet<>();
        for (SnapshotInfo.FileEntry entry : info.files().values()) {
            for (int i = 0; i < entry.chunks().size(); i++) {
                if (!ChunkTransfer.isZero(entry, i)) {
                    chunks.add(entry.chunks().get(i));
                }
            }
        }
        return chunks;
    }

    /** The size of every object under {@code prefix}, whatever wrote it. */
    private long totalBytes(String prefix) throws StoreException {
        long total = 0;
        for (String key : objects.list(prefix)) {
            total += objects.size(key).orElse(0);
        }
        return total;
    }

    /** The snapshots in {@code dirs} cut into {@code chunkSize} chunks, each non-zero one compressed as the store would. */
    static ChunkSize cut(List<SnapshotInfo> infos, List<Path> dirs, int chunkSize) throws IOException {
        Map<String, Integer> compressed = new HashMap<>();
        long chunks = 0;
        long perSnapshot = 0;
        long firstChunks = 0;
        long firstBytes = 0;
        List<Long> added = new ArrayList<>();
        for (int s = 0; s < infos.size(); s++) {
            Set<String> own = new HashSet<>();
            long ownBytes = 0;
            long addedBytes = 0;
            for (String name : infos.get(s).files().keySet()) {
                try (FileChannel in = FileChannel.open(dirs.get(s).resolve(name), StandardOpenOption.READ)) {
                    long size = in.size();
                    for (long offset = 0; offset < size; offset += chunkSize) {
                        int length = (int) Math.min(chunkSize, size - offset);
                        byte[] bytes = read(in, offset, length);
                        if (FileDigests.isZero(MemorySegment.ofArray(bytes), length)) {
                            continue;
                        }
                        String digest = FileDigests.sha256Hex(ByteBuffer.wrap(bytes));
                        if (!own.add(digest)) {
                            continue;
                        }
                        Integer frame = compressed.get(digest);
                        if (frame == null) {
                            frame = (int) Zstd.compress(bytes, ZSTD_LEVEL).length;
                            compressed.put(digest, frame);
                            addedBytes += frame;
                        }
                        ownBytes += frame;
                    }
                }
            }
            chunks += own.size();
            perSnapshot += ownBytes;
            if (s == 0) {
                firstChunks = own.size();
                firstBytes = ownBytes;
            } else {
                added.add(addedBytes);
            }
        }
        long stored = compressed.values().stream().mapToLong(Integer::longValue).sum();
        return new ChunkSize(chunkSize, chunks, compressed.size(), stored, perSnapshot, firstChunks, firstBytes,
                List.copyOf(added));
    }

    private static byte[] read(FileChannel in, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException("file shrank while it was read");
            }
        }
        return buffer.array();
    }
}
