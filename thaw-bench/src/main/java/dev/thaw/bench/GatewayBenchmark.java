package dev.thaw.bench;

import dev.thaw.control.GatewayClient;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.node.http.ApiClient;
import dev.thaw.wire.v1.gateway.NodeSummary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's own cost on warm invocations, measured in one run: the same
 * warm instance is invoked alternately through the gateway and directly on its
 * node (the node API the gateway itself calls), so both see the same guest; the
 * difference is what the gateway adds. Then warm throughput through the gateway
 * with several clients and instances.
 */
public final class GatewayBenchmark {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final EmbeddedCluster cluster;
    private final Path function;
    private final byte[] body;

    public GatewayBenchmark(EmbeddedCluster cluster, Path function, byte[] body) {
        this.cluster = cluster;
        this.function = function;
        this.body = body.clone();
    }

    /**
     * @param overhead gateway minus direct, per pair of consecutive samples
     * @param warmRps warm invocations per second through the gateway with {@code clients} clients
     */
    public record Result(String function, int samples, Percentiles gateway, Percentiles direct,
            Percentiles overhead, int clients, int instances, double seconds, double warmRps, long errors) {
    }

    public Result run(int samples, int clients, int instances, Duration throughputFor)
            throws IOException, InterruptedException {
        GatewayClient gateway = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
        String name = gateway.deploy(function.toAbsolutePath(), new FunctionSettings.Request(1, instances,
                600_000L, 1000, 30_000L)).function().name();
        GatewayClient.Answer first = ok(gateway.invoke(name, body));
        String instance = first.header("X-Thaw-Instance");
        URI nodeUrl = URI.create(gateway.nodes().stream().filter(n -> n.name().equals(first.header("X-Thaw-Node")))
                .map(NodeSummary::url).findFirst().orElseThrow());
        ApiClient node = new ApiClient(nodeUrl, cluster.callToken(first.header("X-Thaw-Node")), Duration.ofSeconds(5));
        String path = "/v1/instances/" + instance + "/invoke";
        for (int i = 0; i < 20; i++) { // JIT and connection warm-up on both paths
            ok(gateway.invoke(name, body));
            direct(node, path);
        }
        List<Double> viaGateway = new ArrayList<>();
        List<Double> viaNode = new ArrayList<>();
        List<Double> overhead = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            long started = System.nanoTime();
            ok(gateway.invoke(name, body));
            double g = (System.nanoTime() - started) / 1e6;
            started = System.nanoTime();
            direct(node, path);
            double d = (System.nanoTime() - started) / 1e6;
            viaGateway.add(g);
            viaNode.add(d);
            overhead.add(g - d);
        }
        for (int i = 0; i < instances; i++) { // bring up the other instances before measuring throughput
            ok(gateway.invoke(name, body));
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long started = System.nanoTime();
        long end = started + throughputFor.toNanos();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        try {
                            if (gateway.invoke(name, body).status() == 200) {
                                done.incrementAndGet();
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("a throughput client failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Result(name, samples, Percentiles.of(viaGateway), Percentiles.of(viaNode),
                Percentiles.of(overhead), clients, instances, seconds, done.get() / seconds, errors.get());
    }

    private void direct(ApiClient node, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = node.call("POST", path, body, Map.of(), TIMEOUT);
        ApiClient.check(response);
    }

    private static GatewayClient.Answer ok(GatewayClient.Answer answer) throws IOException {
        if (answer.status() != 200) {
            throw new IOException("invocation through the gateway failed: HTTP " + answer.status() + " "
                    + answer.text());
        }
        return answer;
    }
}
