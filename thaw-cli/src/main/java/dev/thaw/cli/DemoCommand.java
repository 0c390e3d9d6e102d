package dev.thaw.cli;

import dev.thaw.node.FunctionDeployment;
import dev.thaw.node.Instance;
import dev.thaw.node.NodeConfig;
import dev.thaw.node.NodeRuntime;
import dev.thaw.node.SnapshotMode;
import dev.thaw.node.StartRecord;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import dev.thaw.snapshot.store.SnapshotStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the example functions on two nodes sharing one S3 store (Thaw's embedded server "
                + "unless --s3-endpoint is given): node-a boots "
                + "each function, snapshots it after init and publishes the snapshot, then starts clones from a "
                + "pre-started VMM; node-b, which never saw the functions, fetches images and snapshot from S3, "
                + "then restores from its own cache. Prints where every start came from and what it took.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long BUDGET = 4L << 30;
    /** Lets node-a's pre-started VMM come up, so its second start shows the clone tier. */
    private static final Duration POOL_SETTLE = Duration.ofMillis(1500);

    @Mixin
    S3Options s3Options;

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
        try (Workbench bench = new Workbench();
                S3Options.Opened s3 = s3Options.open(bench.scratch("demo-s3"))) {
            SnapshotStore store = new SnapshotStore(s3.objects());
            QemuMicrovmDriver driver = bench.driver();
            System.out.printf("QEMU %s, accelerator %s (%s); S3 at %s%n%n", driver.info().version(),
                    driver.info().accelerator(), driver.acceleratorReason(), s3.describe());
            Path nodes = bench.scratch("nodes");
            try (NodeRuntime nodeA = NodeRuntime.open(new NodeConfig("node-a", SnapshotMode.REMOTE,
                    nodes.resolve("node-a"), BUDGET, 1), driver, Optional.of(store));
                    NodeRuntime nodeB = NodeRuntime.open(new NodeConfig("node-b", SnapshotMode.REMOTE,
                            nodes.resolve("node-b"), BUDGET, 0), driver, Optional.of(store))) {
                System.out.printf("%-15s %-7s %-7s %16s %9s %9s %10s  %s%n", "function", "node", "start",
                        "fetch ms (MiB)", "vm ms", "ready ms", "1st resp", "response");
                for (Example example : EXAMPLES) {
                    FunctionDeployment deployment = new FunctionDeployment(
                            bench.spec(bench.image(examples.resolve(example.name()))), true);
                    byte[] body = example.body().getBytes(StandardCharsets.UTF_8);
                    nodeA.deploy(deployment);
                    row(example.name(), nodeA, deployment, body);
                    nodeA.awaitPublications();
                    Thread.sleep(POOL_SETTLE.toMillis());
                    row("", nodeA, deployment, body);
                    row("", nodeB, deployment.elsewhere(), body);
                    row("", nodeB, deployment.elsewhere(), body);
                }
            }
            return 0;
        }
    }

    private static void row(String name, NodeRuntime node, FunctionDeployment deployment, byte[] body)
            throws Exception {
        try (Instance instance = node.start(deployment)) {
            InvocationResult result = instance.invoke(body, TIMEOUT);
            StartRecord start = instance.start();
            double fetchMs = start.imageFetchMs() + start.snapshotFetchMs();
            long fetched = start.imageBytes() + start.snapshotBytes();
            String fetch = fetched == 0 ? "-" : String.format("%.0f (%.1f)", fetchMs, fetched / 1048576.0);
            String shown = result.ok() ? summarize(result) : "ERROR " + result.error();
            System.out.printf("%-15s %-7s %-7s %16s %9.1f %9.1f %10.1f  %s%n", name, node.config().name(),
                    start.tier().label(), fetch, start.vmMs(), start.readyMs(),
                    instance.firstResponseMs().orElse(Double.NaN), shown);
            for (String fallback : start.fallbacks()) {
                System.out.printf("%-15s   note: %s%n", "", fallback);
            }
        }
    }

    private static String summarize(InvocationResult result) {
        byte[] body = result.body();
        if (body.length > 4 && body[1] == 'P' && body[2] == 'N' && body[3] == 'G') {
            return "PNG image, " + body.length + " bytes";
        }
        String text = result.bodyText();
        return text.length() > 50 ? text.substring(0, 47) + "..." : text;
    }
}
