package dev.thaw.cli;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.wire.v1.gateway.ClusterStatus;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.NodeSummary;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that talk to a running gateway. */
final class ClientCommands {
    private ClientCommands() {
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Deploys a function directory (thaw.yaml and code). Same code again keeps the revision; "
                    + "changed code makes a new one and drains the old one's instances.")
    static final class Deploy implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Mixin
        NamespaceOption namespace;

        @Parameters(paramLabel = "DIR", description = "function directory")
        Path dir;

        @Option(names = "--upload", description = "send the directory as a .tar.gz instead of its path "
                + "(needed unless the gateway runs on this host with --allow-host-paths, as 'thaw up' does)")
        boolean upload;

        @Option(names = "--concurrency", description = "requests one instance serves at once (default 1)")
        Integer concurrency;

        @Option(names = "--max-instances", description = "instances at most (default 10)")
        Integer maxInstances;

        @Option(names = "--keep-alive-ms", description = "idle time before an instance stops (default 60000)")
        Long keepAliveMs;

        @Option(names = "--queue-size", description = "requests waiting when all instances are busy (default 100)")
        Integer queueSize;

        @Option(names = "--queue-timeout-ms", description = "how long a request may wait (default 30000)")
        Long queueTimeoutMs;

        @Mixin
        KubernetesDeploy kubernetes;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + " is not a directory");
            }
            if (kubernetes.namespace != null) {
                return kubernetes.deploy(dir, new dev.thaw.k8s.crd.ThawFunctionSettings(concurrency, maxInstances,
                        keepAliveMs, queueSize, queueTimeoutMs));
            }
            FunctionSettings.Request settings = new FunctionSettings.Request(concurrency, maxInstances, keepAliveMs,
                    queueSize, queueTimeoutMs);
            GatewayClient client = namespace.of(gateway.client());
            GatewayClient.Deployed deployed = upload ? client.upload(dir, settings)
                    : client.deploy(dir.toAbsolutePath(), settings);
            FunctionView f = deployed.function();
            System.out.printf("%s %s/%s revision %s (image %s)%n", deployed.created() ? "deployed" : "unchanged",
                    f.namespace(), f.name(), abbreviate(f.revision()), abbreviate(f.imageDigest()));
            return 0;
        }
    }

    @Command(name = "invoke", mixinStandardHelpOptions = true,
            description = "Invokes a function and prints its response on stdout; where the instance came from and "
                    + "what its start cost go to stderr.")
    static final class Invoke implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Mixin
        NamespaceOption namespace;

        @Parameters(paramLabel = "NAME", description = "function name")
        String name;

        @Option(names = "--data", description = "request body", defaultValue = "")
        String data;

        @Option(names = "--data-file", paramLabel = "FILE", description = "request body from a file")
        Path dataFile;

        @Override
        public Integer call() throws Exception {
            byte[] body = dataFile != null ? Files.readAllBytes(dataFile) : data.getBytes(StandardCharsets.UTF_8);
            GatewayClient.Answer answer = namespace.of(gateway.client()).invoke(name, body);
            PrintStream err = System.err;
            if (answer.header("X-Thaw-Start") != null) {
                err.printf("start=%s node=%s init=%sms (queue %s, schedule %s, fetch %s, vm %s) guest=%sms%n",
                        answer.header("X-Thaw-Start"), answer.header("X-Thaw-Node"), answer.header("X-Thaw-Init-Ms"),
                        answer.header("X-Thaw-Queue-Ms"), answer.header("X-Thaw-Schedule-Ms"),
                        answer.header("X-Thaw-Fetch-Ms"), answer.header("X-Thaw-Vm-Ms"),
                        answer.header("X-Thaw-Guest-Ms"));
            }
            if (answer.status() != 200) {
                err.println("thaw: HTTP " + answer.status() + ": " + answer.text());
                return 1;
            }
            System.out.write(answer.body());
            System.out.println();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists the functions deployed in a namespace.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Mixin
        NamespaceOption namespace;

        @Override
        public Integer call() throws Exception {
            List<FunctionView> functions = namespace.of(gateway.client()).list();
            System.out.printf("%-20s %-14s %9s %11s %12s%n", "NAME", "REVISION", "INSTANCES", "CONCURRENCY",
                    "KEEP-ALIVE");
            for (FunctionView f : functions) {
                System.out.printf("%-20s %-14s %9d %11d %10ds%n", f.name(), abbreviate(f.revision()), f.instances(),
                        f.settings().concurrency(), f.settings().keepAliveMs() / 1000);
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes a function: its instances, cached snapshots on every node, and stored snapshots.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Mixin
        NamespaceOption namespace;

        @Parameters(paramLabel = "NAME", description = "function name")
        String name;

        @Override
        public Integer call() throws Exception {
            namespace.of(gateway.client()).delete(name);
            System.out.println("deleted " + name);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Shows the cluster: nodes, their instances and cached snapshots.")
    static final class Status implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Override
        public Integer call() throws Exception {
            GatewayClient client = gateway.client();
            ClusterStatus status = client.status();
            System.out.printf("scheduler %s; nodes %d (%d alive); functions %d; instances %d%n%n",
                    status.schedulerPolicy(), status.nodes(), status.liveNodes(), status.functions(),
                    status.instances());
            System.out.printf("registry %s%n", status.registry());
            if (status.registryUnavailable() != null) {
                System.out.printf("  NOT LOADED: %s%n", status.registryUnavailable());
            }
            for (var problem : status.registryProblems()) {
                System.out.printf("  %s %s: %s (%s)%n", problem.serving() ? "warning" : "NOT SERVED",
                        problem.function(), problem.problem(), problem.key());
            }
            System.out.println();
            for (NodeSummary node : client.nodes()) {
                var s = node.status();
                System.out.printf("%-10s %-6s %s%n", node.name(), node.alive() ? "alive" : "DEAD", node.url());
                if (s == null) {
                    continue;
                }
                System.out.printf("  memory %d/%d MiB free, slots %d/%d free, %d instance(s)%n", s.memoryMibFree(),
                        s.memoryMibTotal(), s.slotsFree(), s.slotsTotal(), s.instances().size());
                for (var entry : s.cached()) {
                    System.out.printf("  cached %-60s %8.1f MiB  last used %s%n", entry.key(),
                            entry.bytes() / 1048576.0, entry.lastUse());
                }
                for (String line : partlyPresent(s)) {
                    System.out.println(line);
                }
            }
            return 0;
        }
    }

    /**
     * The revisions a node holds only part of the snapshot of (whole ones are among its cached entries), e.g.
     * {@code  part   hello/3  90.0 % of 41.1 MiB}.
     */
    static List<String> partlyPresent(dev.thaw.wire.v1.node.NodeStatus status) {
        if (status.present() == null) {
            return List.of();
        }
        return status.present().stream().filter(p -> p.fraction() < 1)
                .map(p -> String.format(java.util.Locale.ROOT, "  part   %-60s %5.1f %% of %.1f MiB",
                        p.function() + "/" + p.revision(), Math.floor(p.fraction() * 1000) / 10,
                        p.totalBytes() / 1048576.0))
                .toList();
    }

    static String abbreviate(String digest) {
        return digest == null ? "-" : digest.length() > 12 ? digest.substring(0, 12) : digest;
    }
}
