package dev.thaw.bench;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.control.GatewayClient;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.local.NodeProcess;
import dev.thaw.node.http.ApiClient;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.trust.TrustedSigners;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.StartReport;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A burst right after a revision's first boot: the function boots once on one node of a fresh
 * cluster, and at once {@code burst} concurrent invocations need new instances, which the spread
 * policy puts on the other nodes. Three ways ({@link Mode}): with peer fetch the burst restores from
 * the first node's copy before the store has it and reads chunks from the nodes; without it, sent at
 * once, it finds no snapshot and boots; without it, sent once the boot's snapshot is in the store, it
 * restores from the store, which gives the store's fetch time to set the peers' against. Counts come
 * from the nodes' own metrics once their reads have settled.
 */
public final class SpreadBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    /** The longest waits for the boot's snapshot to reach the store and for the nodes' reads to settle. */
    private static final Duration PUBLICATION_BOUND = Duration.ofMinutes(3);
    private static final Duration SETTLE_BOUND = Duration.ofMinutes(2);
    private static final Pattern SAMPLE = Pattern.compile("^(thaw_node_[a-z_]+)\\{([^}]*)\\}\\s+([0-9.eE+-]+)$",
            Pattern.MULTILINE);

    /** How the burst finds the snapshot. */
    public enum Mode {
        /** Right after the boot, nodes reading from each other before the store. */
        PEERS(true, false),
        /** Right after the boot, store only: the snapshot is not published yet. */
        STORE(false, false),
        /** Store only, sent once the boot's snapshot is in the store: the burst restores from the store. */
        STORE_PUBLISHED(false, true);

        private final boolean peers;
        private final boolean afterPublication;

        Mode(boolean peers, boolean afterPublication) {
            this.peers = peers;
            this.afterPublication = afterPublication;
        }

        public boolean peers() {
            return peers;
        }

        public boolean afterPublication() {
            return afterPublication;
        }
    }

    private final EmbeddedCluster cluster;
    private final Path function;
    private final Poll poll = new Poll(InstantSource.system(), Duration.ofMillis(250));

    public SpreadBenchmark(EmbeddedCluster cluster, Path function) {
        this.cluster = cluster;
        this.function = function;
    }

    /**
     * @param boots boots on every node over the whole run
     * @param startsByKind starts on every node by tier
     * @param s3Bytes snapshot bytes the nodes read from the store (compressed)
     * @param peerBytes snapshot bytes the nodes read from each other (compressed)
     * @param storedBytes what the snapshot occupies in the store
     * @param peerFetchMs snapshot fetch time (start report's {@code snapshotFetchMs}) of the remote starts that
     *        read from peers
     * @param s3FetchMs the same of the remote starts that read from the store only
     * @param imageFetchMs image fetch time of all remote starts, apart from the snapshot's
     * @param publishWaitMs from the boot's first response until the store held its snapshot, when the burst
     *        waited for that; NaN otherwise
     */
    public record Result(Mode mode, int nodes, int burst, long boots, Map<String, Long> startsByKind,
            long s3Bytes, long peerBytes, long storedBytes, Percentiles peerFetchMs, Percentiles s3FetchMs,
            Percentiles imageFetchMs, long errors, double publishWaitMs) {
    }

    public Result run(int burst, Mode mode) throws IOException, InterruptedException {
        cluster.gateway().routers().placement().peerFetch(mode.peers());
        GatewayClient gateway = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
        String name = gateway.deploy(function.toAbsolutePath(), new FunctionSettings.Request(1, burst + 1,
                600_000L, burst * 4, TIMEOUT.toMillis())).function().name();
        byte[] body = "thaw".getBytes(StandardCharsets.UTF_8);
        String revision = ok(gateway.invoke(name, body)).header("X-Thaw-Revision");
        double publishWaitMs = Double.NaN;
        if (mode.afterPublication()) {
            long waitFrom = System.nanoTime();
            if (storedSnapshot(name, revision).isEmpty()) {
                throw new IOException("the boot's snapshot of " + name + " did not reach the store within "
                        + PUBLICATION_BOUND.toSeconds() + " s");
            }
            publishWaitMs = (System.nanoTime() - waitFrom) / 1e6;
        }
        List<GatewayClient.Answer> answers = new ArrayList<>();
        long errors = 0;
        ExecutorService pool = Executors.newFixedThreadPool(burst);
        try {
            // Every call waits at the gate until all are ready, so they reach the gateway together: calls that
            // trickled in could each find the warm instance free again and start nothing.
            CountDownLatch ready = new CountDownLatch(burst);
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<GatewayClient.Answer>> calls = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                calls.add(pool.submit(() -> {
                    ready.countDown();
                    gate.await();
                    return gateway.invoke(name, body);
                }));
            }
            ready.await();
            gate.countDown();
            for (Future<GatewayClient.Answer> call : calls) {
                try {
                    GatewayClient.Answer answer = call.get();
                    if (answer.status() == 200) {
                        answers.add(answer);
                    } else {
                        errors++;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    errors++;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Double> totals = settledTotals(name, revision);
        // One definition of fetch time for both sources: the start report's snapshotFetchMs of each remote
        // start (images come from the store either way and are left out). For a lazy restore that is the
        // device state and the memory's presentation; memory chunks come on first touch, after it.
        List<Double> peerMs = new ArrayList<>();
        List<Double> s3Ms = new ArrayList<>();
        List<Double> imageMs = new ArrayList<>();
        for (StartReport start : remoteStarts(name, revision)) {
            (start.snapshotPeerBytes() > 0 ? peerMs : s3Ms).add(start.snapshotFetchMs());
            imageMs.add(start.imageFetchMs());
        }
        Map<String, Long> byKind = new TreeMap<>();
        for (String tier : List.of("clone", "local", "remote", "boot")) {
            byKind.put(tier, Math.round(totals.getOrDefault("starts|" + tier, 0.0)));
        }
        long stored = storedSnapshot(name, revision).orElse(0L);
        return new Result(mode, cluster.nodes().size(), burst, byKind.get("boot"), byKind,
                Math.round(totals.getOrDefault("read|s3", 0.0)), Math.round(totals.getOrDefault("read|peer", 0.0)),
                stored, Percentiles.ofPossiblyEmpty(peerMs), Percentiles.ofPossiblyEmpty(s3Ms),
                Percentiles.ofPossiblyEmpty(imageMs), errors, publishWaitMs);
    }

    /** The start reports of the revision's instances that started remote, as the nodes last reported them. */
    private List<StartReport> remoteStarts(String name, String revision) {
        List<StartReport> starts = new ArrayList<>();
        for (Member member : cluster.gateway().membership().alive()) {
            NodeStatus status = member.status();
            if (status == null) {
                continue;
            }
            for (InstanceView instance : status.instances()) {
                if (instance.function().equals(name) && instance.revision().equals(revision)
                        && instance.start() != null && instance.start().tier() == StartReport.Tier.REMOTE) {
                    starts.add(instance.start());
                }
            }
        }
        return starts;
    }

    /**
     * The nodes' counters summed once their reads are over: every node that runs the revision reports all
     * of its snapshot (a lazily restored one has completed it into its cache) and two reads in a row agree.
     * Bounded: after {@link #SETTLE_BOUND} the last read is taken as it is.
     */
    private Map<String, Double> settledTotals(String name, String revision) throws IOException, InterruptedException {
        List<Map<String, Double>> last = new ArrayList<>(List.of(totals()));
        return poll.until(SETTLE_BOUND, () -> {
            Map<String, Double> now = totals();
            boolean same = now.equals(last.getFirst());
            last.set(0, now);
            return same && holdersComplete(name, revision) ? Optional.of(now) : Optional.empty();
        }).orElse(last.getFirst());
    }

    /** True when every live node with an instance of the revision reports all of its snapshot. */
    private boolean holdersComplete(String name, String revision) {
        for (Member member : cluster.gateway().membership().alive()) {
            NodeStatus status = member.status();
            if (status == null) {
                return false;
            }
            boolean runs = status.instances().stream()
                    .anyMatch(i -> i.function().equals(name) && i.revision().equals(revision));
            if (runs && status.presentFraction(name, revision) < 1.0) {
                return false;
            }
        }
        return true;
    }

    private Map<String, Double> totals() throws IOException, InterruptedException {
        Map<String, Double> totals = new TreeMap<>();
        for (NodeProcess node : cluster.nodes()) {
            try (ApiClient client = new ApiClient(node.url(), cluster.callToken(node.name()), Duration.ofSeconds(5))) {
                HttpResponse<byte[]> metrics = client.call("GET", "metrics", null, Map.of(), Duration.ofSeconds(30));
                ApiClient.check(metrics);
                Matcher m = SAMPLE.matcher(new String(metrics.body(), StandardCharsets.UTF_8));
                while (m.find()) {
                    String key = switch (m.group(1)) {
                        case "thaw_node_starts_total" -> "starts|" + label(m.group(2), "tier");
                        case "thaw_node_snapshot_read_bytes_total" -> "read|" + label(m.group(2), "source");
                        default -> null;
                    };
                    if (key != null) {
                        totals.merge(key, Double.parseDouble(m.group(3)), Double::sum);
                    }
                }
            }
        }
        return totals;
    }

    private static String label(String labels, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(labels);
        return m.find() ? m.group(1) : "";
    }

    /** The stored bytes of the revision's verified snapshot once the store holds it; empty after the bound. */
    private Optional<Long> storedSnapshot(String function, String revision) throws IOException, InterruptedException {
        var config = cluster.gateway().config().s3();
        if (config == null) {
            return Optional.empty();
        }
        try (S3ObjectStore objects = new S3ObjectStore(config)) {
            SnapshotStore store = new SnapshotStore(objects);
            return poll.until(PUBLICATION_BOUND, () -> {
                try {
                    Optional<SnapshotInfo> info = store.findSnapshot(function, revision, TrustedSigners.of(
                            cluster.gateway().membership().signers(function, revision)));
                    return info.isPresent() ? Optional.of(store.storedBytes(info.get())) : Optional.empty();
                } catch (dev.thaw.snapshot.store.StoreException | dev.thaw.api.SnapshotFormatException e) {
                    throw new IOException("cannot read the stored snapshot of " + function + ": "
                            + e.getMessage(), e);
                }
            });
        }
    }

    private static GatewayClient.Answer ok(GatewayClient.Answer answer) throws IOException {
        if (answer.status() != 200) {
            throw new IOException("invocation failed: HTTP " + answer.status() + " " + answer.text());
        }
        return answer;
    }
}
