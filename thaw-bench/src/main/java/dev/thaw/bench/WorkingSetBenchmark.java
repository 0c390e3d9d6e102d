package dev.thaw.bench;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.node.FunctionDeployment;
import dev.thaw.node.Instance;
import dev.thaw.node.NodeRuntime;
import dev.thaw.node.NodeStartException;
import dev.thaw.node.StartTier;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.snapshot.store.ChunkTransfer;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.snapshot.workingset.WorkingSet;
import dev.thaw.snapshot.workingset.WorkingSetStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lazy remote starts without and with a working set, side by side in one run, at one chunk size:
 * the snapshot is published again cut at that size, then starts alternate between a node that
 * uses the working set recorded just before (prefetched in one batch) and one that does not (it
 * reads every chunk on first touch, and records a working set as it goes).
 */
public final class WorkingSetBenchmark {
    private static final Duration INVOKE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(30);

    private final SnapshotStore origin;
    private final TrustedSigners signers;
    private final byte[] body;

    /**
     * One chunk size's figures.
     *
     * @param chunkBytes the chunk size the snapshot was published in
     * @param chunkObjects distinct non-zero chunks of the snapshot (what a whole fetch GETs)
     * @param storedBytes the snapshot's bytes in the store at this size
     * @param workingSetBytes raw bytes of the non-zero chunks each recorded working set names
     * @param packBytes stored bytes of each recorded working set's page pack (0 without one)
     * @param workingSetChunks chunks each recorded working set names
     * @param packServedWith reads of presented memory each start with the set served from its page pack
     * @param packMissedWith reads of presented memory each start with the set had to take from chunks, the
     *     pack lacking them
     */
    public record SizeResult(int chunkBytes, int chunkObjects, long storedBytes, Percentiles remoteWith,
            Percentiles remoteWithout, Percentiles fetchedWith, Percentiles fetchedWithout,
            Percentiles workingSetBytes, Percentiles workingSetChunks, Percentiles packBytes,
            Percentiles packServedWith, Percentiles packMissedWith) {
    }

    /**
     * @param origin signs the snapshot it publishes again at each chunk size
     * @param signers the keys the measured node trusts
     */
    public WorkingSetBenchmark(SnapshotStore origin, TrustedSigners signers, byte[] body) {
        this.origin = origin;
        this.signers = signers;
        this.body = body.clone();
    }

    /**
     * Publishes {@code info}'s snapshot again in chunks of {@code chunkBytes}, then takes
     * {@code runs} lazy remote starts each way on {@code node}; the node's snapshot and the function's
     * own image layer are evicted before each. Returns the figures and leaves the snapshot published
     * at that size.
     */
    public SizeResult run(NodeRuntime node, FunctionDeployment target, SnapshotInfo info, int chunkBytes, int runs,
            Path scratch) throws IOException, StoreException, NodeStartException, SandboxException,
            InterruptedException {
        SnapshotInfo cut = republish(info, chunkBytes, scratch);
        String layer = target.spec().diskDigests().getLast();
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> fetchedWith = new ArrayList<>();
        List<Double> fetchedWithout = new ArrayList<>();
        List<Double> setBytes = new ArrayList<>();
        List<Double> setChunks = new ArrayList<>();
        List<Double> packBytes = new ArrayList<>();
        List<Double> packServed = new ArrayList<>();
        List<Double> packMissed = new ArrayList<>();
        // Each start without the set records one, which the start with it that follows uses.
        long published = node.workingSetCounters().get("published");
        // A start with the set fetches its page pack or, without one, prefetches its chunks.
        long prefetches = node.workingSetCounters().get("prefetches") + node.workingSetCounters().get("packsLoaded");
        for (int i = 0; i < runs; i++) {
            node.prefetchWorkingSets(false);
            evict(node, target, layer);
            double[] plain = sample(node, target);
            without.add(plain[0]);
            fetchedWithout.add(plain[1]);
            // Its size is a sample of working_set_bytes.
            awaitCounter(node, "published", ++published);
            WorkingSet set;
            try {
                set = new WorkingSetStore(origin).find(cut, signers).orElseThrow(
                        () -> new IllegalStateException("no working set was published for " + cut.function()));
            } catch (dev.thaw.snapshot.workingset.WorkingSetException e) {
                throw new IllegalStateException("the working set just recorded is refused: " + e.getMessage(), e);
            }
            setBytes.add((double) set.dataBytes(cut));
            setChunks.add((double) set.chunks().size());
            packBytes.add(set.pack() == null ? 0.0 : (double) set.pack().storedBytes());

            node.prefetchWorkingSets(true);
            evict(node, target, layer);
            Map<String, Long> before = node.workingSetCounters();
            double[] prefetched = sample(node, target);
            Map<String, Long> after = node.workingSetCounters();
            with.add(prefetched[0]);
            fetchedWith.add(prefetched[1]);
            packServed.add((double) (after.get("packReads") - before.get("packReads")));
            packMissed.add((double) (after.get("packMisses") - before.get("packMisses")));
            // A prefetch still filling the chunk cache would serve the next start, and a pack still
            // growing by what this start missed would be published over the next recording.
            awaitCounter(node, "prefetches", "packsLoaded", ++prefetches);
            awaitIdle(node, "packsGrowing");
        }
        int objects = 0;
        for (SnapshotInfo.FileEntry entry : cut.files().values()) {
            java.util.Set<String> distinct = new java.util.HashSet<>();
            for (int i = 0; i < entry.chunks().size(); i++) {
                if (!ChunkTransfer.isZero(entry, i)) {
                    distinct.add(entry.chunks().get(i));
                }
            }
            objects += distinct.size();
        }
        return new SizeResult(chunkBytes, objects, origin.storedBytes(cut), Percentiles.of(with),
                Percentiles.of(without), Percentiles.of(fetchedWith), Percentiles.of(fetchedWithout),
                Percentiles.of(setBytes), Percentiles.of(setChunks), Percentiles.of(packBytes),
                Percentiles.of(packServed), Percentiles.of(packMissed));
    }

    /** The snapshot fetched whole, described again in chunks of {@code chunkBytes}, and published. */
    private SnapshotInfo republish(SnapshotInfo info, int chunkBytes, Path scratch) throws IOException,
            StoreException {
        Path dir = scratch.resolve("chunks-" + chunkBytes);
        FileTrees.deleteQuietly(dir);
        try {
            origin.fetchSnapshot(info, dir);
            Map<String, SnapshotInfo.FileEntry> files = new LinkedHashMap<>();
            for (String name : info.files().keySet()) {
                files.put(name, FileDigests.describe(dir.resolve(name), chunkBytes));
            }
            SnapshotInfo cut = new SnapshotInfo(info.formatVersion(), info.function(), info.revision(), info.driver(),
                    info.driverVersion(), info.shape(), info.kernelDigest(), info.imageDigests(), files,
                    info.createdAt(), info.node(), info.initMs());
            if (!cut.equals(info)) {
                origin.publishSnapshot(dir, cut);
            }
            return cut;
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    private static void evict(NodeRuntime node, FunctionDeployment target, String layer) {
        node.evictSnapshot(target);
        node.evictImage(layer);
    }

    static void awaitCounter(NodeRuntime node, String counter, long count) throws InterruptedException {
        awaitCounter(node, counter, null, count);
    }

    /** Waits until {@code counter} (plus {@code other}, if not null) reaches {@code count}. */
    private static void awaitCounter(NodeRuntime node, String counter, String other, long count)
            throws InterruptedException {
        long deadline = System.nanoTime() + PUBLISH_WAIT.toNanos();
        while (node.workingSetCounters().get(counter) + (other == null ? 0 : node.workingSetCounters().get(other))
                < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("working-set counter " + counter + " did not reach " + count + " within "
                        + PUBLISH_WAIT.toSeconds() + " s: " + node.workingSetCounters());
            }
            Thread.sleep(20); // a small PUT or a batch of GETs in the background
        }
    }

    /** Waits until the gauge {@code gauge} is zero. */
    static void awaitIdle(NodeRuntime node, String gauge) throws InterruptedException {
        long deadline = System.nanoTime() + PUBLISH_WAIT.toNanos();
        while (node.workingSetCounters().get(gauge) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("working-set gauge " + gauge + " did not drop to 0 within "
                        + PUBLISH_WAIT.toSeconds() + " s: " + node.workingSetCounters());
            }
            Thread.sleep(20); // a pack built and PUT in the background
        }
    }

    /** One remote start: ms to the first response, snapshot bytes fetched by then. */
    private double[] sample(NodeRuntime node, FunctionDeployment target) throws NodeStartException,
            SandboxException {
        try (Instance instance = node.start(target, signers)) {
            if (instance.start().tier() != StartTier.REMOTE) {
                throw new IllegalStateException("expected a remote start, got " + instance.start().tier().label()
                        + ": " + instance.start().fallbacks());
            }
            InvocationResult result = instance.invoke(body, INVOKE_TIMEOUT);
            if (!result.ok()) {
                throw new SandboxException("the benchmark's invocation failed: " + result.error() + "\n"
                        + new String(result.body(), StandardCharsets.UTF_8));
            }
            return new double[] {instance.firstResponseMs().orElseThrow(),
                    instance.fetchedBytesAtFirstResponse().orElseThrow()};
        }
    }
}
