package dev.thaw.cli;

import dev.thaw.api.ExampleRequest;
import dev.thaw.bench.eval.EvalConfiguration;
import dev.thaw.bench.eval.Evaluation;
import dev.thaw.bench.load.AzureTrace;
import dev.thaw.bench.load.ConsoleProgress;
import dev.thaw.bench.load.DeployedFunction;
import dev.thaw.bench.load.FailureClass;
import dev.thaw.bench.load.InterArrival;
import dev.thaw.bench.load.InvocationRecord;
import dev.thaw.bench.load.Invoker;
import dev.thaw.bench.load.LatestProgress;
import dev.thaw.bench.load.LoadRunner;
import dev.thaw.bench.load.LoadSummary;
import dev.thaw.bench.load.PoissonZipf;
import dev.thaw.bench.load.ProgressListener;
import dev.thaw.bench.load.RecordsCsv;
import dev.thaw.bench.load.RequestBodies;
import dev.thaw.bench.load.RequestBody;
import dev.thaw.bench.load.ThesisPattern;
import dev.thaw.bench.load.Workload;
import dev.thaw.bench.report.ConfigurationSummary;
import dev.thaw.bench.report.EvalReport;
import dev.thaw.bench.report.Sample;
import dev.thaw.bench.soak.ClusterProbe;
import dev.thaw.bench.soak.Intervals;
import dev.thaw.bench.soak.SoakMonitor;
import dev.thaw.bench.soak.SoakReport;
import dev.thaw.control.GatewayClient;
import dev.thaw.control.GatewayConfig;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.wire.v1.gateway.FunctionView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trace-driven load against a gateway, and the thesis' five-configuration comparison. */
final class EvalCommands {
    private EvalCommands() {
    }

    /** Where a workload comes from: an Azure Functions trace, the thesis' on/off pattern, or Poisson arrivals. */
    static final class WorkloadOptions {
        @Option(names = "--trace", paramLabel = "DIR", description = "an Azure Functions trace directory "
                + "(invocations.csv, optional durations.csv and memory.csv), as the In-Vitro loader reads it")
        Path trace;

        @Option(names = "--inter-arrival", defaultValue = "exponential", paramLabel = "exponential|uniform|equidistant",
                description = "arrival times within a trace minute (default: ${DEFAULT-VALUE})")
        String interArrival;

        @Option(names = "--max-minutes", defaultValue = "0", description = "use only the first N trace minutes (0: all)")
        int maxMinutes;

        @Option(names = "--poisson", paramLabel = "RATE", description = "Poisson arrivals at RATE per second with Zipf "
                + "popularity over the functions, instead of the thesis pattern")
        Double poissonRate;

        @Option(names = "--zipf", defaultValue = "1.0", description = "Zipf exponent for --poisson (default: ${DEFAULT-VALUE})")
        double zipf;

        @Option(names = "--duration", defaultValue = "120", description = "seconds of --poisson load (default: ${DEFAULT-VALUE})")
        double duration;

        @Option(names = "--cycles", defaultValue = "3", description = "thesis pattern: on/off cycles (default: ${DEFAULT-VALUE})")
        int cycles;

        @Option(names = "--on-seconds", defaultValue = "60", description = "thesis pattern: seconds on (default: ${DEFAULT-VALUE})")
        double onSeconds;

        @Option(names = "--off-seconds", defaultValue = "60", description = "thesis pattern: seconds off (default: ${DEFAULT-VALUE})")
        double offSeconds;

        @Option(names = "--rate", defaultValue = "0.1",
                description = "thesis pattern: requests per second per function while on (default: ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--compress", defaultValue = "1",
                description = "minutes of workload per minute of wall time (default: ${DEFAULT-VALUE}); 'thaw eval' divides "
                        + "keep-alive by it too, for 'thaw load' deploy with a keep-alive scaled the same way")
        double compress;

        @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
        long seed;

        Workload buildFor(List<String> functions) throws java.io.IOException {
            return build(functions.stream().map(f -> new DeployedFunction(f, 256, 100)).toList());
        }

        /** Trace functions are mapped onto {@code deployed} by memory and typical duration. */
        Workload build(List<DeployedFunction> deployed) throws java.io.IOException {
            List<String> functions = deployed.stream().map(DeployedFunction::name).toList();
            Workload workload;
            if (trace != null) {
                workload = AzureTrace.read(trace, deployed, InterArrival.valueOf(interArrival.toUpperCase(Locale.ROOT)),
                        seed, maxMinutes);
            } else if (poissonRate != null) {
                workload = PoissonZipf.of(functions, poissonRate, zipf, duration, seed);
            } else {
                workload = ThesisPattern.of(functions, cycles, onSeconds, offSeconds, rate);
            }
            return compress == 1 ? workload : workload.compressed(compress);
        }
    }

    /** What each function is sent; see {@link RequestBodies} for the order in which these apply. */
    static final class BodyOptions {
        @Option(names = "--body", paramLabel = "TEXT", description = "send TEXT (text/plain) to every function")
        String body;

        @Option(names = "--body-file", paramLabel = "[NAME=]FILE", description = "send FILE's bytes to every "
                + "function, or with NAME= to function NAME only (repeatable); the content type follows the "
                + "extension (.json: application/json, .txt: text/plain, .png: image/png, other: "
                + "application/octet-stream)")
        List<String> bodyFiles;

        @Option(names = "--payloads", paramLabel = "DIR", description = "a directory of NAME.json, NAME.bin (or "
                + "NAME.EXT) files, one per function (default: ./payloads when it exists)")
        Path payloads;

        @Option(names = "--content-type", paramLabel = "TYPE",
                description = "Content-Type of the bodies given here or in the payloads directory")
        String contentType;

        RequestBodies.Options options() {
            return RequestBodies.Options.parse(body, bodyFiles, payloads != null ? payloads : Path.of("payloads"),
                    payloads != null, contentType);
        }

        static void print(RequestBodies.Choice choice) {
            choice.warnings().forEach(w -> System.err.println("warning: " + w));
            choice.bodies().forEach((f, b) -> System.err.printf("  %s: %s%n", f, b));
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Replays a workload against a running gateway and writes one CSV row per invocation: send "
                    + "time, function, status, start kind (warm|clone|local|remote|boot), node, initialization "
                    + "latency and its parts, end-to-end latency. Trace functions are mapped onto the deployed ones "
                    + "(all deployed functions unless --functions is given; 256 MiB and 100 ms assumed for each). "
                    + "Each function gets, most specific first: --body-file NAME=FILE, --body or --body-file FILE, "
                    + "payloads/NAME.*, its manifest's example_request, or an empty body. Failures are classed as "
                    + "function_error, rejected, platform_error or client_error; the exit status is 1 only for "
                    + "platform errors, unless --strict. --report-every samples the gateway's and nodes' memory, "
                    + "descriptors, threads, instances and /dev/shm bytes and judges at the end whether any grew.")
    static final class Load implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @ArgGroup(exclusive = false)
        WorkloadOptions workload = new WorkloadOptions();

        @Option(names = "--functions", split = ",", description = "functions to load (default: all deployed)")
        List<String> functions;

        @Option(names = "--max-in-flight", defaultValue = "64", description = "requests outstanding at most (default: ${DEFAULT-VALUE})")
        int maxInFlight;

        @Option(names = "--out", defaultValue = "load.csv", paramLabel = "CSV", description = "records (default: ${DEFAULT-VALUE})")
        Path out;

        @Mixin
        BodyOptions body = new BodyOptions();

        @Option(names = "--strict", description = "exit 1 on failures of any class, not only platform errors")
        boolean strict;

        @Option(names = "--report-every", paramLabel = "INTERVAL", description = "soak mode: every INTERVAL (30s, "
                + "2m, ...) print each process's memory, descriptors, threads, instances and /dev/shm bytes; at the "
                + "end a trend test says whether any grew without bound (growth also makes the exit status 1)")
        String reportEvery;

        @Override
        public Integer call() throws Exception {
            Duration interval = reportEvery == null ? null : Intervals.parse(reportEvery);
            RequestBodies.Options bodyOptions = body.options();
            GatewayClient client = gateway.client();
            Map<String, FunctionView> deployed = new LinkedHashMap<>();
            client.list().forEach(f -> deployed.put(f.name(), f));
            List<String> names = functions != null ? functions : List.copyOf(deployed.keySet());
            if (names.isEmpty()) {
                throw new IllegalArgumentException("no functions deployed; deploy some or name them with --functions");
            }
            List<String> missing = names.stream().filter(n -> !deployed.containsKey(n)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("--functions names functions that are not deployed: "
                        + String.join(", ", missing) + " (deployed: " + String.join(", ", deployed.keySet()) + ")");
            }
            Map<String, ExampleRequest> examples = new LinkedHashMap<>();
            names.forEach(n -> {
                if (deployed.get(n).exampleRequest() != null) {
                    examples.put(n, deployed.get(n).exampleRequest());
                }
            });
            RequestBodies.Choice bodies = RequestBodies.choose(bodyOptions, names, examples,
                    client.status().bodyLimitBytes());
            Workload w = workload.buildFor(names);
            System.err.printf("%s: %d invocations over %.0f s; bodies:%n", w.description(), w.size(),
                    w.durationSeconds());
            BodyOptions.print(bodies);
            SoakMonitor monitor = null;
            ScheduledExecutorService scheduler = null;
            ProgressListener progress = new ConsoleProgress();
            if (interval != null) {
                // The soak rows report progress too; a bar rewritten in place would run into them.
                LatestProgress latest = new LatestProgress();
                progress = latest;
                scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
                monitor = new SoakMonitor(new ClusterProbe(client), interval, System.out, scheduler, System::nanoTime,
                        latest::line);
                monitor.start();
            }
            List<InvocationRecord> records;
            SoakReport soak = null;
            try {
                records = new LoadRunner().run(Invoker.of(client), w, bodies::of, maxInFlight, progress);
            } finally {
                if (monitor != null) {
                    soak = monitor.finish();
                    scheduler.shutdownNow();
                }
            }
            RecordsCsv.write(out, records);
            LoadSummary summary = LoadSummary.of(records);
            System.out.print(summary.text());
            System.out.printf("%d invocations, %d failed (%d platform errors); wrote %s%n", records.size(),
                    summary.failures(), summary.count(FailureClass.PLATFORM_ERROR), out);
            int status = summary.exitStatus(strict);
            if (soak != null) {
                System.out.print(soak.text());
                if (!soak.growing().isEmpty()) {
                    status = 1;
                }
            }
            return status;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "The thesis' comparison on one workload: for each configuration (no-snapshots, local, "
                    + "remote-nocache, remote-cache, remote-cache-aware; all but the last place cold starts with "
                    + "'spread'; and, with --configs, remote-cache-aware-policies: cost-aware placement, hybrid "
                    + "histogram keep-alive and histogram snapshot prefetch) a fresh cluster with the same nodes and budgets, the same functions and workload, "
                    + "then teardown. Writes summary.json, report.md (Table 6.2 beside the thesis' numbers), one "
                    + "CSV per configuration and PNG charts (box plot, CDF, tail percentiles). Functions get their "
                    + "manifests' example_request unless --body, --body-file or payloads/ say otherwise; 'failures' "
                    + "counts platform errors, with the functions' own errors, rejections and client errors beside.")
    static final class Eval implements Callable<Integer> {
        @ArgGroup(exclusive = false)
        WorkloadOptions workload = new WorkloadOptions();

        @Option(names = "--quick", description = "a short run sized for a small machine (under 10 minutes for all "
                + "five configurations): 5 functions, 3 on/off cycles of 10/9 s at 0.2 requests/s, keep-alive 5 s")
        boolean quick;

        @Option(names = "--configs", defaultValue = "no-snapshots,local,remote-nocache,remote-cache,remote-cache-aware",
                description = "configurations to run, comma-separated: no-snapshots, local, remote-nocache, "
                        + "remote-cache, remote-cache-aware, remote-cache-aware-policies (default: the first five)")
        String configs;

        @Option(names = "--examples", defaultValue = "examples", paramLabel = "DIR", description = "example functions")
        Path examples;

        @Option(names = "--nodes", defaultValue = "2", description = "nodes per cluster (default: ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--cache-budget-mib", defaultValue = "1200",
                description = "each node's cache budget: small enough that not every snapshot fits everywhere "
                        + "(default: ${DEFAULT-VALUE})")
        long budget;

        @Option(names = "--keep-alive-ms", defaultValue = "60000", description = "instance keep-alive (default: ${DEFAULT-VALUE}; --quick: 5000)")
        long keepAliveMs;

        @Option(names = "--out", defaultValue = "eval-out", paramLabel = "DIR", description = "results (default: ${DEFAULT-VALUE})")
        Path out;

        @Mixin
        BodyOptions body = new BodyOptions();

        @Override
        public Integer call() throws Exception {
            List<EvalConfiguration> configurations = EvalConfiguration.parseList(configs);
            if (quick) {
                workload.cycles = 3;
                workload.onSeconds = 10;
                workload.offSeconds = 9;
                workload.rate = 0.2;
                keepAliveMs = 5000;
            }
            try (Workbench bench = new Workbench()) {
                List<Path> functions = functions(bench.scratch("eval-functions"));
                List<String> names = new ArrayList<>();
                Map<String, ExampleRequest> examples = new LinkedHashMap<>();
                for (Path f : functions) {
                    String name = dev.thaw.api.FunctionManifests.read(f).name();
                    names.add(name);
                    dev.thaw.api.FunctionManifests.exampleRequest(f).ifPresent(e -> examples.put(name, e));
                }
                RequestBodies.Choice chosen = RequestBodies.choose(body.options(), names, examples,
                        GatewayConfig.DEFAULT_BODY_LIMIT);
                System.err.println("bodies:");
                BodyOptions.print(chosen);
                Map<String, RequestBody> bodies = chosen.bodies();
                List<DeployedFunction> profiles = new ArrayList<>();
                for (Path f : functions) {
                    var manifest = dev.thaw.api.FunctionManifests.read(f);
                    // Typical durations are not known before a run; the examples' handlers take milliseconds.
                    profiles.add(new DeployedFunction(manifest.name(), manifest.shape().memoryMib(), 10));
                }
                Workload w = workload.build(profiles);
                System.err.printf("workload: %s, %d invocations over %.0f s; %d configuration(s)%n", w.description(),
                        w.size(), w.durationSeconds(), configurations.size());
                // Compressed time compresses keep-alive too, so idle gaps still end in scale-to-zero.
                long keepAlive = Math.max(1, Math.round(keepAliveMs / workload.compress));
                Evaluation evaluation = new Evaluation(new Evaluation.Options(configurations, nodes, budget, 4096, 8,
                        functions, bodies, keepAlive, 64, bench.scratch("eval-clusters"), bench.home()));
                List<Evaluation.Run> runs = evaluation.run(w, out);
                List<Sample> samples = new ArrayList<>();
                runs.forEach(r -> samples.addAll(Evaluation.samples(r.configuration(), r.records())));
                String setup = String.format(Locale.ROOT, "%d nodes per cluster, %d MiB cache per node, keep-alive %d ms, "
                        + "%d functions, workload: %s (%d invocations)", nodes, budget, keepAlive, functions.size(),
                        w.description(), w.size());
                List<ConfigurationSummary> summaries = EvalReport.write(out, samples, "thaw eval " + String.join(" ",
                        quick ? "--quick" : "", "--configs " + configs).strip(), setup);
                System.out.printf("%n%-20s %6s %6s %6s %6s %6s %9s %9s %9s %9s%n", "configuration", "calls", "fail",
                        "f-err", "other", "cold", "mean ms", "p50 ms", "p99 ms", "hit rate");
                long failures = 0;
                for (ConfigurationSummary s : summaries) {
                    failures += s.failures();
                    System.out.printf(Locale.ROOT, "%-20s %6d %6d %6d %6d %6d %9.0f %9.0f %9.0f %9.2f%n", s.name(),
                            s.invocations(), s.failures(), s.functionErrors(), s.rejected() + s.clientErrors(),
                            s.coldStarts(), s.meanMs(), s.p50Ms(), s.p99Ms(), s.cacheHitRate());
                }
                System.out.println("fail: platform errors; f-err: the function's own errors; other: rejected and "
                        + "client errors");
                System.out.println("\nwrote " + out.resolve(EvalReport.REPORT_FILE) + " and "
                        + out.resolve(EvalReport.SUMMARY_FILE));
                return failures == 0 ? 0 : 1;
            }
        }

        /** The examples, plus copies of hello under other names so that snapshots compete for cache space. */
        private List<Path> functions(Path scratch) throws java.io.IOException {
            List<Path> dirs = new ArrayList<>();
            for (String example : List.of("hello", "json-transform", "thumbnail")) {
                dirs.add(examples.resolve(example).toAbsolutePath());
            }
            for (String copy : List.of("hello-b", "hello-c")) {
                Path dir = Files.createDirectories(scratch.resolve(copy));
                Files.copy(examples.resolve("hello/main.py"), dir.resolve("main.py"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(dir.resolve("thaw.yaml"), Files.readString(examples.resolve("hello/thaw.yaml"))
                        .replaceFirst("(?m)^name: .*$", "name: " + copy));
                dirs.add(dir);
            }
            return dirs;
        }
    }
}
