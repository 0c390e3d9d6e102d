package dev.thaw.cli;

import dev.thaw.bench.report.Charts;
import dev.thaw.bench.sim.CacheReplay;
import dev.thaw.bench.sim.ClusterConfig;
import dev.thaw.bench.sim.Combination;
import dev.thaw.bench.sim.Policies;
import dev.thaw.bench.sim.SimReport;
import dev.thaw.bench.sim.SimResult;
import dev.thaw.bench.sim.SimTrace;
import dev.thaw.bench.sim.Simulator;
import dev.thaw.bench.sim.StartCosts;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code thaw sim}: policies compared on a trace, on a simulated cluster. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Simulates a Thaw cluster (no VMs) on an Azure Functions trace under policy combinations "
                + "(keep-alive+eviction+placement+prefetch) and compares them with today's: cold starts, "
                + "initialization latency, warm-instance memory x time, bytes fetched, and an eviction replay "
                + "against Belady's bound. Policies: keep-alive " + "fixed, greedy-dual, hybrid-histogram; "
                + "eviction lru, lfu, gdsf, w-tinylfu (belady in the replay); placement snapshot-aware, "
                + "cost-aware, spread; prefetch none, histogram.")
final class SimCommand implements Callable<Integer> {
    /** What {@code thaw sim} compares unless told otherwise: today, each policy alone, and the chosen set. */
    static final List<String> DEFAULT_COMBINATIONS = List.of(Combination.TODAY.name(),
            "fixed+lfu+snapshot-aware+none", "fixed+gdsf+snapshot-aware+none", "fixed+w-tinylfu+snapshot-aware+none",
            "fixed+lru+cost-aware+none", "fixed+lru+snapshot-aware+histogram", "greedy-dual+lru+snapshot-aware+none",
            "hybrid-histogram+lru+snapshot-aware+none", Combination.CHOSEN.name());

    @Option(names = "--trace", required = true, paramLabel = "DIR",
            description = "Azure-format trace directory (invocations.csv, optional durations.csv and memory.csv); "
                    + "thaw trace synth writes one")
    Path trace;

    @Option(names = "--max-minutes", defaultValue = "0", description = "use only the first N minutes (0: all)")
    int maxMinutes;

    @Option(names = "--nodes", defaultValue = "8", description = "nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--memory-mib", defaultValue = "65536",
            description = "guest memory per node (default: ${DEFAULT-VALUE})")
    long memoryMib;

    @Option(names = "--slots", defaultValue = "256", description = "instance slots per node (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--cache-mib", defaultValue = "4096",
            description = "snapshot cache budget per node (default: ${DEFAULT-VALUE})")
    long cacheMib;

    @Option(names = "--keep-alive-seconds", defaultValue = "60",
            description = "the fixed keep-alive, also the hybrid policy's fallback (default: ${DEFAULT-VALUE})")
    double keepAliveSeconds;

    @Option(names = "--scale-out-keep-alive-seconds", defaultValue = "120",
            description = "under hybrid-histogram, how long idle instances of functions that scale out (mostly "
                    + "invoked while another invocation runs) stay warm (default: ${DEFAULT-VALUE})")
    double scaleOutSeconds;

    @Option(names = "--scale-out-peak-minutes", defaultValue = "0",
            description = "under hybrid-histogram, an idle instance of a function that scales out stays past the "
                    + "fixed keep-alive (up to --scale-out-keep-alive-seconds) only while its function has no more "
                    + "instances than its peak concurrency of the last N minutes; 0 keeps every one that long "
                    + "(default: ${DEFAULT-VALUE})")
    int scaleOutPeakMinutes;

    @Option(names = "--burst-prewarm-share", defaultValue = "0.8",
            description = "under hybrid-histogram, when an invocation finds its function without any instance, "
                    + "also pre-warm instances up to this share of the most it had live in its previous busy period: "
                    + "a burst is likely to need as many again (0: none; default: ${DEFAULT-VALUE})")
    double burstShare;

    @Option(names = "--cold-start-gib-s", defaultValue = "" + KeepAlivePolicy.COLD_START_GIB_S,
            description = "under hybrid-histogram, the warm-instance memory x time (GiB-s) one avoided cold start is "
                    + "worth: an instance is kept, or pre-warmed, only for the idle times (from its function's "
                    + "idle-time histogram) in which it avoids cold starts for less; 0 keeps the paper's 5th-99th "
                    + "percentile window (default: ${DEFAULT-VALUE}, as in thaw gateway)")
    double coldStartGibS;

    @Option(names = "--combinations", split = ",", paramLabel = "K+E+P+F",
            description = "combinations to run, keep-alive+eviction+placement+prefetch (default: today, each "
                    + "policy alone, and " + "the chosen combination)")
    List<String> combinations;

    @Option(names = "--cache-sizes-mib", split = ",", defaultValue = "512,1024,2048,4096,8192,16384",
            description = "cache sizes for the eviction replay (default: ${DEFAULT-VALUE})")
    List<Long> cacheSizesMib;

    @Option(names = "--costs-json", paramLabel = "FILE",
            description = "start costs from a thaw bench snapshot --json file instead of the measured defaults")
    Path costsJson;

    @Option(names = "--clone-ms", description = "override the clone start cost")
    Double cloneMs;

    @Option(names = "--local-ms", description = "override the local-cache restore cost")
    Double localMs;

    @Option(names = "--restore-ms", description = "override a remote start's restore cost (its fetch is added)")
    Double restoreMs;

    @Option(names = "--boot-ms", description = "override the boot cost")
    Double bootMs;

    @Option(names = "--bandwidth-mib-s", description = "override the store's fetch bandwidth")
    Double bandwidth;

    @Option(names = "--seed", defaultValue = "1", description = "seed for arrival times (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "write the results as JSON")
    Path json;

    @Option(names = "--charts", paramLabel = "DIR",
            description = "write PNG charts (hit ratio against cache size; cold starts against memory, with a "
                    + "sweep of the fixed keep-alive)")
    Path charts;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() {
        List<Combination> wanted = new ArrayList<>();
        for (String text : combinations == null ? DEFAULT_COMBINATIONS : combinations) {
            wanted.add(Combination.parse(text));
        }
        if (wanted.stream().noneMatch(c -> c.equals(Combination.TODAY))) {
            wanted.addFirst(Combination.TODAY);
        }
        StartCosts costs = (costsJson == null ? StartCosts.MEASURED : StartCosts.fromSnapshotBench(costsJson))
                .with(cloneMs, localMs, restoreMs, bootMs, bandwidth);
        ClusterConfig cluster = new ClusterConfig(nodes, memoryMib, slots, cacheMib << 20);
        if (!(keepAliveSeconds >= 0)) {
            throw new IllegalArgumentException("--keep-alive-seconds must be >= 0");
        }
        SimTrace simTrace = SimTrace.read(trace, maxMinutes, costs.storedFraction());
        System.out.printf("trace %s: %d functions, %d minutes, %d invocations; %d nodes x %d MiB, %d slots, "
                + "%d MiB cache%n", trace, simTrace.functions().size(), simTrace.minutes(), simTrace.invocations(),
                nodes, memoryMib, slots, cacheMib);
        Simulator simulator = new Simulator(simTrace, cluster, costs, seed, keepAliveSeconds * 1000,
                scaleOutSeconds * 1000, scaleOutPeakMinutes, burstShare, coldStartGibS);
        List<SimResult> results = new ArrayList<>();
        // Eviction policies are replayed on the lookups of today's combination and of the chosen one (whose
        // placement changes what each node sees), when it runs.
        Map<Combination, Simulator.AccessLog> logs = new LinkedHashMap<>();
        for (Combination c : wanted) {
            Simulator.AccessLog log = null;
            if (c.equals(Combination.TODAY) || c.equals(Combination.CHOSEN)) {
                log = new Simulator.AccessLog(cluster);
                logs.put(c, log);
            }
            results.add(simulator.run(c, progress(c.name()), log));
        }
        List<String> evictions = new ArrayList<>(Policies.EVICTION);
        evictions.addAll(Policies.CLAIRVOYANT);
        List<Long> sizes = new ArrayList<>(cacheSizesMib.stream().map(m -> m << 20).toList());
        if (!sizes.contains(cluster.cacheBytes())) {
            sizes.add(cluster.cacheBytes());
            sizes.sort(null);
        }
        List<CacheReplay.Point> replay = new ArrayList<>();
        logs.forEach((c, log) -> replay.addAll(CacheReplay.run(simTrace, costs, log, c.name(), evictions, sizes)));
        SimReport.Outcome outcome = new SimReport.Outcome(trace.toString(), simTrace.functions().size(),
                simTrace.minutes(), simTrace.invocations(), cluster, costs, keepAliveSeconds, seed,
                Combination.TODAY.name(), results, replay);
        System.out.println();
        SimReport.table(outcome, System.out);
        if (json != null) {
            SimReport.writeJson(outcome, json);
            System.out.println("wrote " + json);
        }
        if (charts != null) {
            charts(simulator, simTrace, costs, cluster, outcome);
        }
        return 0;
    }

    private Simulator.Progress progress(String name) {
        PrintStream err = System.err;
        return noProgress ? Simulator.Progress.NONE : new SimProgress(err, name);
    }

    private void charts(Simulator simulator, SimTrace simTrace, StartCosts costs, ClusterConfig cluster,
            SimReport.Outcome outcome) {
        Map<String, List<double[]>> hit = new LinkedHashMap<>();
        for (CacheReplay.Point p : outcome.eviction()) {
            if (!p.stream().equals(Combination.TODAY.name())) {
                continue;
            }
            hit.computeIfAbsent(p.policy(), k -> new ArrayList<>())
                    .add(new double[] {p.cacheBytes() / 1048576.0, p.hitRatio()});
        }
        Path hitPng = charts.resolve("sim-hit-ratio.png");
        Charts.lines(hit, "Snapshot cache hit ratio against cache size (per node)", "Cache size per node (MiB)",
                "Hit ratio", true, hitPng);
        Map<String, List<double[]>> cold = new LinkedHashMap<>();
        List<double[]> sweep = new ArrayList<>();
        for (double seconds : new double[] {10, 30, 60, 120, 300, 600, 1200}) {
            Simulator fixed = new Simulator(simTrace, cluster, costs, seed, seconds * 1000, scaleOutSeconds * 1000,
                    scaleOutPeakMinutes, burstShare);
            SimResult r = fixed.run(Combination.TODAY, progress("fixed " + (int) seconds + " s"));
            sweep.add(new double[] {r.memoryGibS() / 3600, r.coldStarts()});
        }
        cold.put("fixed 10 s .. 20 min", sweep);
        for (SimResult r : outcome.policies()) {
            String keepAlive = r.name().substring(0, r.name().indexOf('+'));
            if (!keepAlive.equals("fixed")) {
                cold.computeIfAbsent(r.name().equals(Combination.CHOSEN.name()) ? "chosen" : keepAlive,
                        k -> new ArrayList<>()).add(new double[] {r.memoryGibS() / 3600, r.coldStarts()});
            }
        }
        Path coldPng = charts.resolve("sim-cold-vs-memory.png");
        Charts.lines(cold, "Cold starts against warm-instance memory", "Warm-instance memory (GiB x h)",
                "Cold starts", false, coldPng);
        System.out.println("wrote " + hitPng + " and " + coldPng);
    }
}
