package dev.thaw.bench;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.local.EmbeddedCluster;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Warm throughput through one gateway and through all of a cluster's gateways, in one run on one cluster: the
 * same number of closed-loop clients first all call the first gateway, then are spread evenly across every
 * gateway. Each instance takes one invocation at a time and the function may have as many instances as there
 * are clients, so both phases keep the same number of warm instances busy and the ratio shows what the added
 * gateways bring, not what added instances would. The two phases alternate for several rounds, so a change in
 * the host's load during the run weighs on both alike.
 */
public final class GatewaysBenchmark {
    private final EmbeddedCluster cluster;
    private final Path function;
    private final byte[] body;

    public GatewaysBenchmark(EmbeddedCluster cluster, Path function, byte[] body) {
        this.cluster = cluster;
        this.function = function;
        this.body = body.clone();
    }

    /** One phase: invocations per second with {@code clients} clients over {@code gateways} gateways. */
    public record Phase(int gateways, int clients, double seconds, long ok, long errors) {
        public double rps() {
            return ok / seconds;
        }
    }

    /** Each round's two phases; {@link #ratio} is the spread phases' throughput over the single gateway's. */
    public record Result(String function, List<Phase> one, List<Phase> spread) {
        public Result {
            one = List.copyOf(one);
            spread = List.copyOf(spread);
        }

        public Phase oneTotal() {
            return total(one);
        }

        public Phase spreadTotal() {
            return total(spread);
        }

        public double ratio() {
            return spreadTotal().rps() / oneTotal().rps();
        }

        private static Phase total(List<Phase> phases) {
            return new Phase(phases.getFirst().gateways(), phases.getFirst().clients(),
                    phases.stream().mapToDouble(Phase::seconds).sum(), phases.stream().mapToLong(Phase::ok).sum(),
                    phases.stream().mapToLong(Phase::errors).sum());
        }
    }

    public Result run(int clients, int rounds, Duration warmUp, Duration measure)
            throws IOException, InterruptedException {
        List<URI> urls = cluster.gatewayUrls();
        List<GatewayClient> gateways = urls.stream().map(u -> new GatewayClient(u, cluster.apiToken())).toList();
        String name = gateways.getFirst().deploy(function.toAbsolutePath(),
                new FunctionSettings.Request(1, clients, 600_000L, 1000, 30_000L)).function().name();
        List<GatewayClient> single = List.of(gateways.getFirst());
        List<Phase> one = new ArrayList<>();
        List<Phase> spread = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            load(single, clients, name, warmUp);
            one.add(load(single, clients, name, measure));
            load(gateways, clients, name, warmUp);
            spread.add(load(gateways, clients, name, measure));
        }
        return new Result(name, one, spread);
    }

    /** {@code clients} closed-loop clients, client i on gateway i mod the number of gateways, for {@code length}. */
    private Phase load(List<GatewayClient> gateways, int clients, String name, Duration length)
            throws IOException, InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long started = System.nanoTime();
        long end = started + length.toNanos();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                GatewayClient gateway = gateways.get(c % gateways.size());
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        try {
                            if (gateway.invoke(name, body).status() == 200) {
                                ok.incrementAndGet();
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
        } catch (ExecutionException e) {
            throw new IOException("a load client failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Phase(gateways.size(), clients, seconds, ok.get(), errors.get());
    }
}
