package dev.thaw.cli;

import dev.thaw.control.GatewayClient;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts a two-node Thaw cluster on this host (gateway, node agents as processes, embedded S3 "
                + "unless --s3-endpoint is given), deploys the example functions and drives a short burst of cold "
                + "and warm starts: a boot, a warm call, a cold start after keep-alive expiry (restored on the "
                + "node holding the snapshot), then concurrent calls that spill onto the other node (fetched from "
                + "S3). Prints where each start came from and how long it took.")
final class DemoCommand implements Callable<Integer> {
    private static final long KEEP_ALIVE_MS = 2000;
    private static final int BURST = 4;

    @Mixin
    S3Options s3;

    @Option(names = "--examples", defaultValue = "examples", paramLabel = "DIR",
            description = "directory holding the example functions (default: ${DEFAULT-VALUE})")
    Path examples;

    private record Example(String name, String body) {
    }

    private static final List<Example> EXAMPLES = List.of(
            new Example("hello", "thaw"),
            new Example("json-transform",
                    "[{\"customer\":\"ada\",\"sku\":\"ABC-0001\",\"price\":\"9.50\",\"qty\":2},"
                            + "{\"customer\":\"bob\",\"sku\":\"XYZ-0042\",\"price\":\"3.25\",\"qty\":4}]"),
            new Example("thumbnail", ""));

    @Override
    public Integer call() throws Exception {
        try (Workbench bench = new Workbench()) {
            System.out.println("starting a cluster: gateway, 2 node agents, S3...");
            // Three slots per node: a burst of four fills the holder, and the rest spills onto the other node.
            try (EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(2,
                    SchedulerPolicy.SNAPSHOT_AWARE, SnapshotMode.REMOTE, 4096, 4096, 3, 1, 0,
                    bench.scratch("demo-cluster"), bench.home(), s3.external()))) {
                GatewayClient client = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
                System.out.printf("gateway %s, nodes %s%n%n", cluster.gatewayUrl(),
                        cluster.nodes().stream().map(n -> n.name() + " " + n.url()).toList());
                System.out.printf("%-15s %-22s %-7s %-7s %9s %9s %9s %9s  %s%n", "function", "request", "start",
                        "node", "init ms", "fetch ms", "vm ms", "total ms", "response");
                for (Example example : EXAMPLES) {
                    client.deploy(examples.resolve(example.name()).toAbsolutePath(),
                            new FunctionSettings.Request(1, BURST, KEEP_ALIVE_MS, 100, 60_000L));
                    byte[] body = example.body().getBytes(StandardCharsets.UTF_8);
                    call(client, example.name(), "first (cold)", body);
                    call(client, example.name(), "second (warm)", body);
                    awaitScaleToZero(client, example.name());
                    call(client, example.name(), "after keep-alive", body);
                    burst(client, example.name(), body);
                }
                System.out.println("\nstart: warm = an idle instance; clone = a pre-started VMM with the snapshot "
                        + "mapped; local = the node's snapshot cache; remote = fetched from S3; boot = no snapshot "
                        + "yet.");
            }
            return 0;
        }
    }

    private static void burst(GatewayClient client, String name, byte[] body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(BURST);
        try {
            List<Future<Row>> rows = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                int n = i + 1;
                rows.add(pool.submit(() -> timed(client, name, "burst " + n + "/" + BURST, body)));
            }
            for (Future<Row> row : rows) {
                row.get().print();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void call(GatewayClient client, String name, String label, byte[] body) throws Exception {
        timed(client, name, label, body).print();
    }

    private record Row(String function, String label, GatewayClient.Answer answer, double totalMs) {
        void print() {
            String shown = answer.status() == 200 ? summarize(answer.body()) : "HTTP " + answer.status() + " "
                    + answer.text();
            System.out.printf("%-15s %-22s %-7s %-7s %9s %9s %9s %9.1f  %s%n", function, label,
                    value(answer.header("X-Thaw-Start")), value(answer.header("X-Thaw-Node")),
                    value(answer.header("X-Thaw-Init-Ms")), value(answer.header("X-Thaw-Fetch-Ms")),
                    value(answer.header("X-Thaw-Vm-Ms")), totalMs, shown);
        }
    }

    private static Row timed(GatewayClient client, String name, String label, byte[] body) throws Exception {
        long started = System.nanoTime();
        GatewayClient.Answer answer = client.invoke(name, body);
        return new Row(name, label, answer, (System.nanoTime() - started) / 1e6);
    }

    private static void awaitScaleToZero(GatewayClient client, String name) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (client.describe(name).instances() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static String value(String header) {
        if (header == null) {
            return "-";
        }
        try {
            return String.format("%.1f", Double.parseDouble(header));
        } catch (NumberFormatException e) {
            return header;
        }
    }

    private static String summarize(byte[] body) {
        if (body.length > 4 && body[1] == 'P' && body[2] == 'N' && body[3] == 'G') {
            return "PNG image, " + body.length + " bytes";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }
}
