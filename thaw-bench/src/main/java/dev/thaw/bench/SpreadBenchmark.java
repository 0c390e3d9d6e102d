package dev.thaw.bench;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.local.NodeProcess;
import dev.thaw.node.http.ApiClient;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.SnapshotStore;
import dev.thaw.snapshot.trust.TrustedSigners;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A burst right after a revision's first boot, before its snapshot is in the store: the function
 * boots once on one node of a fresh cluster, and at once {@code burst} concurrent invocations need
 * new instances, which the spread policy puts on the other nodes. With peer fetch they restore from
 * the first node's copy and read chunks from each other before the store; without it they find no
 * snapshot and boot. Counts come from the nodes' own metrics once their reads have settled.
 */
public final class SpreadBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern SAMPLE = Pattern.compile("^(thaw_node_[a-z_]+)\\{([^}]*)\\}\\s+([0-9.eE+-]+)$",
            Pattern.MULTILINE);

    private final EmbeddedCluster cluster;
    private final Path function;

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
     * @param peerFetchMs fetch time of the burst's starts that read from peers
     * @param s3FetchMs fetch time of the burst's remote starts that read from the store only
     */
    public record Result(boolean peers, int nodes, int burst, long boots, Map<String, Long> startsByKind,
            long s3Bytes, long peerBytes, long storedBytes, Percentiles peerFetchMs, Percentiles s3FetchMs,
            long errors) {
    }

    public Result run(int burst, boolean peers) throws IOException, InterruptedException {
        cluster.gateway().routers().placement().peerFetch(peers);
        GatewayClient gateway = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
        String name = gateway.deploy(function.toAbsolutePath(), new FunctionSettings.Request(1, burst + 1,
                600_000L, burst * 4, TIMEOUT.toMillis())).function().name();
        byte[] body = "thaw".getBytes(StandardCharsets.UTF_8);
        ok(gateway.invoke(name, body));
        List<GatewayClient.Answer> answers = new ArrayList<>();
        long errors = 0;
        ExecutorService pool = Executors.newFixedThreadPool(burst);
        try {
            List<Future<GatewayClient.Answer>> calls = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                calls.add(pool.submit(() -> gateway.invoke(name, body)));
            }
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
        List<Double> peerMs = new ArrayList<>();
        List<Double> s3Ms = new ArrayList<>();
        for (GatewayClient.Answer a : answers) {
            if (!"remote".equals(a.header("X-Thaw-Start"))) {
                continue;
            }
            double fetchMs = Double.parseDouble(a.header("X-Thaw-Fetch-Ms"));
            String peerBytes = a.header("X-Thaw-Fetch-Peer-Bytes");
            (peerBytes != null && Long.parseLong(peerBytes) > 0 ? peerMs : s3Ms).add(fetchMs);
        }
        Map<String, Double> totals = settledTotals();
        Map<String, Long> byKind = new TreeMap<>();
        for (String tier : List.of("clone", "local", "remote", "boot")) {
            byKind.put(tier, Math.round(totals.getOrDefault("starts|" + tier, 0.0)));
        }
        long stored = storedBytes(name);
        return new Result(peers, cluster.nodes().size(), burst, byKind.get("boot"), byKind,
                Math.round(totals.getOrDefault("read|s3", 0.0)), Math.round(totals.getOrDefault("read|peer", 0.0)),
                stored, Percentiles.ofPossiblyEmpty(peerMs), Percentiles.ofPossiblyEmpty(s3Ms), errors);
    }

    /** The nodes' counters summed, read again until two reads a second apart agree (lazy reads finish), at most a minute. */
    private Map<String, Double> settledTotals() throws IOException, InterruptedException {
        Map<String, Double> last = totals();
        for (int i = 0; i < 60; i++) {
            Thread.sleep(1000);
            Map<String, Double> now = totals();
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
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

    /** What the revision's snapshot occupies in the store, once its publication finished (waits up to 2 minutes). */
    private long storedBytes(String function) throws IOException, InterruptedException {
        var config = cluster.gateway().config().s3();
        if (config == null) {
            return 0;
        }
        try (S3ObjectStore objects = new S3ObjectStore(config)) {
            SnapshotStore store = new SnapshotStore(objects);
            for (int i = 0; i < 120; i++) {
                List<String> revisions = store.revisions(function);
                if (!revisions.isEmpty()) {
                    String revision = revisions.getLast();
                    Optional<SnapshotInfo> info = store.findSnapshot(function, revision, TrustedSigners.of(
                            cluster.gateway().membership().signers(function, revision)));
                    if (info.isPresent()) {
                        return store.storedBytes(info.get());
                    }
                }
                Thread.sleep(1000);
            }
            return 0;
        } catch (dev.thaw.snapshot.store.StoreException | dev.thaw.api.SnapshotFormatException e) {
            throw new IOException("cannot read the stored snapshot of " + function + ": " + e.getMessage(), e);
        }
    }

    private static GatewayClient.Answer ok(GatewayClient.Answer answer) throws IOException {
        if (answer.status() != 200) {
            throw new IOException("invocation failed: HTTP " + answer.status() + " " + answer.text());
        }
        return answer;
    }
}
