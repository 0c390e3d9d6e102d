package dev.thaw.bench.eval;

import dev.thaw.bench.load.ConsoleProgress;
import dev.thaw.bench.load.InvocationRecord;
import dev.thaw.bench.load.Invoker;
import dev.thaw.bench.load.LoadRunner;
import dev.thaw.bench.load.RecordsCsv;
import dev.thaw.bench.load.RequestBody;
import dev.thaw.bench.load.Workload;
import dev.thaw.bench.report.ConfigurationSummary;
import dev.thaw.bench.report.Sample;
import dev.thaw.bench.report.Summaries;
import dev.thaw.control.GatewayClient;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The thesis' comparison, reproduced: for each configuration a fresh cluster
 * (same nodes, same budgets), the same functions, the same workload; then
 * it is torn down. One CSV of invocation records per configuration.
 */
public final class Evaluation {

    /**
     * @param functions function directories to deploy (their names come from their manifests)
     * @param keepAliveMs instances idle this long stop, so that off periods of the workload end in cold starts
     * @param workDir clusters, S3 data and node caches, one directory per configuration
     */
    public record Options(List<EvalConfiguration> configurations, int nodes, long cacheBudgetMib, long memoryMib,
            int slots, List<Path> functions, Map<String, RequestBody> bodies, long keepAliveMs, int maxInFlight,
            Path workDir, ThawHome home) {

        public Options {
            configurations = List.copyOf(configurations);
            functions = List.copyOf(functions);
            bodies = Map.copyOf(bodies);
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(home, "home");
            if (configurations.isEmpty() || functions.isEmpty()) {
                throw new IllegalArgumentException("need at least one configuration and one function");
            }
        }
    }

    /** What one configuration produced. */
    public record Run(EvalConfiguration configuration, List<InvocationRecord> records, Path csv,
            ConfigurationSummary summary) {
    }

    private final Options options;

    public Evaluation(Options options) {
        this.options = options;
    }

    /** Runs every configuration on the workload, writing {@code <out>/<configuration>.csv} as each finishes. */
    public List<Run> run(Workload workload, Path out) throws IOException, StoreException, InterruptedException {
        Files.createDirectories(out);
        List<Run> runs = new ArrayList<>();
        for (EvalConfiguration configuration : options.configurations()) {
            System.err.printf("%n== %s: %d nodes, %s snapshots, %s placement, cache %s, %s keep-alive, prefetch %s%n",
                    configuration.label(), options.nodes(), configuration.mode().label(),
                    configuration.policy().label(),
                    configuration.cached() ? options.cacheBudgetMib() + " MiB per node" : "none",
                    configuration.keepAlive().label(), configuration.prefetch().label());
            List<InvocationRecord> records = runOne(configuration, workload);
            Path csv = out.resolve(configuration.label() + ".csv");
            RecordsCsv.write(csv, records);
            ConfigurationSummary summary = Summaries.of(configuration.label(), samples(configuration, records));
            runs.add(new Run(configuration, records, csv, summary));
        }
        return runs;
    }

    private List<InvocationRecord> runOne(EvalConfiguration configuration, Workload workload)
            throws IOException, StoreException, InterruptedException {
        EmbeddedCluster.Options cluster = new EmbeddedCluster.Options(options.nodes(), configuration.policy(),
                configuration.mode(), configuration.cached() ? options.cacheBudgetMib() : 0, options.memoryMib(),
                options.slots(), 0, 0, options.workDir().resolve(configuration.label()), options.home(), null,
                configuration.keepAlive(), configuration.prefetch());
        try (EmbeddedCluster running = EmbeddedCluster.start(cluster)) {
            GatewayClient client = new GatewayClient(running.gatewayUrl(), running.apiToken());
            for (Path function : options.functions()) {
                // One instance per function: the workload's rates need no more, and every function's cold
                // starts then find a free slot instead of being turned away while others boot.
                client.deploy(function.toAbsolutePath(), new FunctionSettings.Request(1, 1, options.keepAliveMs(),
                        1000, 300_000L));
            }
            warmUp(client);
            return new LoadRunner().run(Invoker.of(client), workload,
                    this::body, options.maxInFlight(),
                    new ConsoleProgress());
        }
    }

    private RequestBody body(String function) {
        RequestBody body = options.bodies().get(function);
        return body != null ? body : RequestBody.empty("");
    }

    /**
     * Invokes every function once and waits until all have scaled to zero: the
     * first start of a revision boots in every configuration (there is no
     * snapshot yet), so measuring it would only add the same boots everywhere.
     * Configurations with snapshots then begin with one taken and published.
     */
    private void warmUp(GatewayClient client) throws IOException, InterruptedException {
        List<Thread> calls = new ArrayList<>();
        for (String name : client.list().stream().map(f -> f.name()).toList()) {
            calls.add(Thread.ofVirtual().start(() -> {
                try {
                    RequestBody body = body(name);
                    client.invoke(name, body.bytes(), body.contentType());
                } catch (IOException e) {
                    System.err.println("warm-up call of " + name + " failed: " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread call : calls) {
            call.join();
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (client.list().stream().anyMatch(f -> f.instances() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    /** The report's view of a record: where the start came from, and what it cost. */
    public static List<Sample> samples(EvalConfiguration configuration, List<InvocationRecord> records) {
        List<Sample> samples = new ArrayList<>(records.size());
        for (InvocationRecord r : records) {
            boolean failed = !r.ok();
            samples.add(new Sample(configuration.label(), r.function(), failed ? "-" : r.start(), failed, r.initMs(),
                    r.fetchMs(), r.fetchBytes(), r.failure().label()));
        }
        return samples;
    }

    /** Init latency of the cold starts, per configuration, for the charts. */
    public static Map<String, List<Double>> coldInitMs(List<Run> runs) {
        Map<String, List<Double>> byConfiguration = new LinkedHashMap<>();
        for (Run run : runs) {
            byConfiguration.put(run.configuration().label(), run.records().stream()
                    .filter(r -> r.ok() && !"warm".equals(r.start())).map(InvocationRecord::initMs)
                    .toList());
        }
        return byConfiguration;
    }

}
