package dev.thaw.bench;

import dev.thaw.api.FileDigests;
import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import dev.thaw.node.FunctionDeployment;
import dev.thaw.node.Instance;
import dev.thaw.node.NodeConfig;
import dev.thaw.node.NodeRuntime;
import dev.thaw.node.NodeStartException;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.StartRecord;
import dev.thaw.node.StartTier;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.InfoSignature;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.wire.v1.node.CacheKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a cold start's snapshot comes from, compared on one function in one
 * run, each sample to the first response: a boot (no snapshot), a restore from
 * the node's local cache, and a restore on a node whose cache lacks the
 * snapshot and the function's own image layer (the shared base image is there,
 * as on any node that ran another function), so both are fetched from the store.
 */
public final class SnapshotBenchmark {
    private static final Duration INVOKE_TIMEOUT = Duration.ofSeconds(30);
    private static final long BUDGET = 8L << 30;

    private final SandboxDriver driver;
    private final ObjectStore objects;
    private final FunctionDeployment deployment;
    private final byte[] body;
    private List<Integer> chunkSizes = List.of(SnapshotInfo.FileEntry.DEFAULT_CHUNK_SIZE);
    private final List<WorkingSetBenchmark.SizeResult> workingSets = new ArrayList<>();

    public SnapshotBenchmark(SandboxDriver driver, ObjectStore objects, FunctionDeployment deployment, byte[] body) {
        this.driver = driver;
        this.objects = objects;
        this.deployment = deployment;
        this.body = body.clone();
    }

    /**
     * @param fetchMs snapshot plus image-layer fetch, in remote samples
     * @param rawBytes the snapshot's files as restored (memory and device state)
     * @param storedBytes what the snapshot occupies in the store: its manifest and each distinct non-zero chunk, compressed
     * @param fetchedBytes snapshot bytes transferred by one remote start, as its start record counts them
     * @param remoteFetched snapshot bytes transferred by a remote start up to its first response (with lazy
     *     restore, the device state and the memory chunks the guest touched so far)
     * @param verify what authentication adds to a remote start (signature of info.json, whole-layer hash)
     * @param remoteImageFetched store bytes of the function's own image layer read by a remote start on a node
     *     that has the base image, up to its first response (whole when fetched whole, the chunks the guest
     *     touched when presented lazily)
     * @param imageBytes the size of the function's own image layer
     * @param bareImageFetched store bytes of all the function's images read by its first remote start on a node
     *     that had none of them, up to its first response
     * @param allImageBytes the size of all the function's images (base and layer)
     * @param remotePackServed reads of presented memory a remote start served from the working set's page pack
     * @param remotePackMissed reads of presented memory a remote start took from chunks, the pack lacking them
     */
    public record Result(String function, String accelerator, int runs, Percentiles boot, Percentiles local,
            Percentiles remote, Percentiles fetch, Percentiles snapshotFetch, Percentiles imageFetch,
            Percentiles verify, long rawBytes, long storedBytes, long fetchedBytes, Percentiles remoteFetched,
            Percentiles remoteImageFetched, long imageBytes, long bareImageFetched, long allImageBytes,
            Percentiles remotePackServed, Percentiles remotePackMissed) {

        /** The share of the layer a remote start read (p50). */
        public double imageFetchedShare() {
            return remoteImageFetched.p50() / imageBytes;
        }

        /** Authentication's share of a remote start (p50 over p50). */
        public double verifyShareOfRemote() {
            return verify.p50() / remote.p50();
        }

        public double remoteOverBoot() {
            return remote.p50() / boot.p50();
        }

        public double remoteOverLocal() {
            return remote.p50() / local.p50();
        }

        public double storedOverRaw() {
            return storedBytes / (double) rawBytes;
        }

        /** The share of a remote start's time spent fetching, as the thesis reports it. */
        public double fetchShareOfRemote() {
            return fetch.p50() / remote.p50();
        }
    }

    /**
     * The chunk sizes at which lazy remote starts are compared without and with a working set
     * (see {@link WorkingSetBenchmark}), after the other samples; 1 MiB, the size Thaw writes, by default.
     */
    public SnapshotBenchmark chunkSizes(List<Integer> sizes) {
        this.chunkSizes = List.copyOf(sizes);
        return this;
    }

    /** The working-set comparison at each chunk size, once {@link #run} returned. */
    public List<WorkingSetBenchmark.SizeResult> workingSets() {
        return List.copyOf(workingSets);
    }

    public Result run(int runs, Path workDir) throws IOException, NodeStartException, SandboxException,
            StoreException, SnapshotFormatException, InterruptedException {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        // Two nodes with keys of their own: the fresh node checks the origin's signature as any node would.
        NodeKey originKey = NodeKey.generate("origin");
        SnapshotStore store = new SnapshotStore(objects, originKey);
        SnapshotStore freshStore = new SnapshotStore(objects, NodeKey.generate("fresh"));
        List<Double> boot = new ArrayList<>();
        try (NodeRuntime plain = node("boot", SnapshotMode.DISABLED, workDir, Optional.empty())) {
            for (int i = 0; i < runs; i++) {
                boot.add(firstResponse(plain, deployment, StartTier.BOOT).firstResponseMs);
            }
        }
        List<Double> local = new ArrayList<>();
        try (NodeRuntime origin = node("origin", SnapshotMode.REMOTE, workDir, Optional.of(store))) {
            origin.deploy(deployment);
            firstResponse(origin, deployment, StartTier.BOOT); // boots, snapshots, publishes
            origin.awaitPublications();
            for (int i = 0; i < runs; i++) {
                local.add(firstResponse(origin, deployment, StartTier.LOCAL).firstResponseMs);
            }
        }
        SnapshotInfo info = store.findSnapshot(deployment.function(), deployment.revision()).orElseThrow(
                () -> new IllegalStateException("the snapshot was not published; see the log above"));
        List<Double> remote = new ArrayList<>();
        List<Double> fetch = new ArrayList<>();
        List<Double> snapshotFetch = new ArrayList<>();
        List<Double> imageFetch = new ArrayList<>();
        List<Double> verify = new ArrayList<>();
        List<Double> remoteFetched = new ArrayList<>();
        List<Double> remoteImageFetched = new ArrayList<>();
        List<Double> packServed = new ArrayList<>();
        List<Double> packMissed = new ArrayList<>();
        long bareImageFetched;
        long fetchedBytes = 0;
        FunctionDeployment elsewhere = deployment.elsewhere();
        try (NodeRuntime fresh = node("fresh", SnapshotMode.REMOTE, workDir, Optional.of(freshStore))) {
            // Brings the base image (and everything else) onto the node once; each sample then drops
            // the snapshot and the function's own layer again.
            // As in a cluster, the node trusts the origin's key and its own, which signs the working set
            // its first lazy start records.
            TrustedSigners trusted = originKey.alone().and(freshStore.ownSigners());
            Sample bare = firstResponse(fresh, elsewhere, StartTier.REMOTE, trusted);
            bareImageFetched = bare.record.imageBytes();
            for (String digest : elsewhere.spec().diskDigests()) {
                bareImageFetched += fresh.lazyImageFetchedBytes(digest);
            }
            String layer = elsewhere.spec().diskDigests().getLast();
            // The remote samples start a revision whose working set (and page pack) is published, as every
            // start after the first is.
            WorkingSetBenchmark.awaitCounter(fresh, "published", 1);
            for (int i = 0; i < runs; i++) {
                fresh.evictSnapshot(elsewhere);
                fresh.evictImage(layer);
                java.util.Map<String, Long> before = fresh.workingSetCounters();
                Sample sample = firstResponse(fresh, elsewhere, StartTier.REMOTE, trusted);
                java.util.Map<String, Long> after = fresh.workingSetCounters();
                packServed.add((double) (after.get("packReads") - before.get("packReads")));
                packMissed.add((double) (after.get("packMisses") - before.get("packMisses")));
                remote.add(sample.firstResponseMs);
                fetch.add(sample.record.snapshotFetchMs() + sample.record.imageFetchMs());
                snapshotFetch.add(sample.record.snapshotFetchMs());
                imageFetch.add(sample.record.imageFetchMs());
                remoteFetched.add((double) sample.fetchedAtFirstResponse);
                remoteImageFetched.add((double) sample.imageFetchedAtFirstResponse);
                // Stops completing the snapshot in the background (after a lazy start) before timing alone.
                fresh.evictSnapshot(elsewhere);
                verify.add(authenticationMs(originKey.alone(), workDir.resolve("fresh"), layer));
                fetchedBytes = sample.record.snapshotBytes();
                // A pack growing by what this sample missed is published before the next sample.
                WorkingSetBenchmark.awaitIdle(fresh, "packsGrowing");
            }
            // The measured node records working sets and signs them with its own key.
            WorkingSetBenchmark compare = new WorkingSetBenchmark(store, trusted, body);
            for (int size : chunkSizes) {
                workingSets.add(compare.run(fresh, elsewhere, info, size, runs, workDir));
            }
        }
        long raw = info.files().values().stream().mapToLong(SnapshotInfo.FileEntry::size).sum();
        long stored = store.storedBytes(info);
        long imageBytes = 0;
        long allImageBytes = 0;
        for (String digest : elsewhere.spec().diskDigests()) {
            long size = store.findImage(digest).orElseThrow(
                    () -> new IllegalStateException("image " + digest + " is not in the store")).disk().size();
            allImageBytes += size;
            imageBytes = size; // the last is the function's own layer
        }
        return new Result(deployment.function(), driver.info().accelerator(), runs, Percentiles.of(boot),
                Percentiles.of(local), Percentiles.of(remote), Percentiles.of(fetch), Percentiles.of(snapshotFetch),
                Percentiles.of(imageFetch), Percentiles.of(verify), raw, stored, fetchedBytes,
                Percentiles.of(remoteFetched), Percentiles.of(remoteImageFetched), imageBytes, bareImageFetched,
                allImageBytes, Percentiles.of(packServed), Percentiles.of(packMissed));
    }

    /**
     * What authenticating a remote start adds to the checks an unsigned store needed (chunk
     * digests): fetching and checking the signature of {@code info.json}, and hashing the fetched
     * image layer whole against its digest. Timed on its own right after a sample, on the same
     * objects, so that its share of a remote start is not lost in the noise of the restore.
     */
    private double authenticationMs(TrustedSigners signers, Path freshDir, String layer) throws StoreException {
        String prefix = "snapshots/" + deployment.function() + "/" + deployment.revision() + "/";
        String infoKey = prefix + SnapshotInfo.FILE_NAME;
        String sigKey = prefix + InfoSignature.FILE_NAME;
        byte[] info = objects.get(infoKey); // read without signatures too
        long started = System.nanoTime();
        objects.size(sigKey);
        signers.check(InfoSignature.parse(sigKey, objects.get(sigKey)), InfoSignature.message(infoKey, info), infoKey);
        Path whole = freshDir.resolve("cache").resolve(CacheKeys.image(layer)).resolve("disk");
        if (java.nio.file.Files.exists(whole)) {
            try {
                FileDigests.sha256Hex(whole);
            } catch (IOException e) {
                throw new StoreException("cannot read the fetched layer: " + e.getMessage(), e);
            }
        } else {
            // Presented lazily: its manifest's signature is checked instead of a whole-file hash.
            SnapshotStore images = new SnapshotStore(objects);
            try {
                images.lazyImageProblem(images.findImage(layer).orElseThrow(), signers);
            } catch (SnapshotFormatException e) {
                throw new StoreException(e.getMessage(), e);
            }
        }
        return (System.nanoTime() - started) / 1e6;
    }

    private record Sample(double firstResponseMs, StartRecord record, long fetchedAtFirstResponse,
            long imageFetchedAtFirstResponse) {
    }

    private Sample firstResponse(NodeRuntime node, FunctionDeployment target, StartTier expected)
            throws NodeStartException, SandboxException {
        return firstResponse(node, target, expected, TrustedSigners.none());
    }

    private Sample firstResponse(NodeRuntime node, FunctionDeployment target, StartTier expected,
            TrustedSigners signers) throws NodeStartException, SandboxException {
        try (Instance instance = node.start(target, signers)) {
            if (instance.start().tier() != expected) {
                throw new IllegalStateException("expected a " + expected.label() + " start, got "
                        + instance.start().tier().label() + ": " + instance.start().fallbacks());
            }
            InvocationResult result = instance.invoke(body, INVOKE_TIMEOUT);
            if (!result.ok()) {
                throw new SandboxException("the benchmark's invocation failed: " + result.error() + "\n"
                        + new String(result.body(), StandardCharsets.UTF_8));
            }
            // The function's own layer: fetched whole before the start, or read lazily up to now.
            String layer = target.spec().diskDigests().getLast();
            long image = node.lazyImageFetchedBytes(layer) > 0 ? node.lazyImageFetchedBytes(layer)
                    : instance.start().imageBytes();
            return new Sample(instance.firstResponseMs().orElseThrow(), instance.start(),
                    instance.fetchedBytesAtFirstResponse().orElseThrow(), image);
        }
    }

    private NodeRuntime node(String name, SnapshotMode mode, Path workDir, Optional<SnapshotStore> store)
            throws IOException {
        return NodeRuntime.open(new NodeConfig(name, mode, workDir.resolve(name), BUDGET, 0), driver, store);
    }
}
