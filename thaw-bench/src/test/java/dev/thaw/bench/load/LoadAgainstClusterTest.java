package dev.thaw.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.ExampleRequest;
import dev.thaw.bench.soak.ClusterProbe;
import dev.thaw.bench.soak.ProcessSample;
import dev.thaw.control.GatewayClient;
import dev.thaw.control.GatewayConfig;
import dev.thaw.local.EmbeddedCluster;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.wire.v1.gateway.FunctionView;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code thaw load}'s pieces against a real gateway and node on loopback: each failure class comes from a real
 * answer (or a real refused connection), the example request comes from the deployed manifest, and the soak probe
 * reads the real endpoints.
 */
class LoadAgainstClusterTest {

    @Test
    void realAnswersAreClassedAndExamplesAreSent() throws Exception {
        java.util.Set<Long> before = ProcessHandle.current().descendants().map(ProcessHandle::pid)
                .collect(Collectors.toSet());
        Path work = Files.createTempDirectory("thaw-load-test");
        try (EmbeddedCluster cluster = EmbeddedCluster.start(new EmbeddedCluster.Options(1,
                SchedulerPolicy.SNAPSHOT_AWARE, SnapshotMode.LOCAL, 1024, 1024, 2, 0, 0, work.resolve("cluster"),
                TestGuests.home(), null))) {
            GatewayClient client = new GatewayClient(cluster.gatewayUrl(), cluster.apiToken());
            // One instance and no queue: of two calls at once, one is turned away.
            client.deploy(TestGuests.example("hello").toAbsolutePath(),
                    new FunctionSettings.Request(1, 1, 60_000L, 0, 1000L));
            // A function no node has memory for.
            Path big = Files.createDirectories(work.resolve("big"));
            Files.copy(TestGuests.example("hello").resolve("main.py"), big.resolve("main.py"));
            Files.writeString(big.resolve("thaw.yaml"), "name: big\nruntime: python3\nhandler: main:handle\n"
                    + "memory_mib: 2048\n");
            client.deploy(big, new FunctionSettings.Request(1, 1, 60_000L, 0, 1000L));

            Map<String, FunctionView> deployed = client.list().stream()
                    .collect(Collectors.toMap(FunctionView::name, f -> f));
            assertThat(deployed.get("hello").exampleRequest())
                    .isEqualTo(new ExampleRequest("thaw".getBytes(UTF_8), "text/plain; charset=utf-8"));
            assertThat(deployed.get("big").exampleRequest()).isNull();
            long limit = client.status().bodyLimitBytes();
            assertThat(limit).isEqualTo(GatewayConfig.DEFAULT_BODY_LIMIT);
            RequestBodies.Choice bodies = RequestBodies.choose(RequestBodies.Options.none(), List.of("hello", "big"),
                    Map.of("hello", deployed.get("hello").exampleRequest()), limit);
            assertThat(client.invoke("hello", "warm".getBytes(UTF_8)).status()).isEqualTo(200);

            GatewayClient nowhere = new GatewayClient(URI.create("http://127.0.0.1:1/"), "token");
            CountDownLatch busyDone = new CountDownLatch(2);
            CountDownLatch failDone = new CountDownLatch(1);
            Invoker gateway = Invoker.of(client);
            Invoker invoker = (alias, body) -> switch (alias) {
                case "busy-a", "busy-b" -> {
                    try {
                        yield gateway.invoke("hello", RequestBody.text("sleep:3000", "test"));
                    } finally {
                        busyDone.countDown();
                    }
                }
                // One at a time on the one instance: after both busy calls, fail, then the example.
                case "fail" -> {
                    assertThat(busyDone.await(120, TimeUnit.SECONDS)).isTrue();
                    try {
                        yield gateway.invoke("hello", RequestBody.text("fail", "test"));
                    } finally {
                        failDone.countDown();
                    }
                }
                case "example" -> {
                    assertThat(failDone.await(120, TimeUnit.SECONDS)).isTrue();
                    yield gateway.invoke("hello", bodies.of("hello"));
                }
                case "big" -> gateway.invoke("big", bodies.of("big"));
                case "missing" -> gateway.invoke("missing", body);
                case "huge" -> gateway.invoke("hello", new RequestBody(new byte[(int) limit + 1],
                        "application/octet-stream", "test"));
                case "refused" -> Invoker.of(nowhere).invoke("hello", body);
                default -> throw new IllegalArgumentException(alias);
            };
            List<Arrival> arrivals = new ArrayList<>();
            for (String alias : List.of("busy-a", "busy-b", "fail", "example", "big", "missing", "huge", "refused")) {
                arrivals.add(new Arrival(0, alias));
            }
            List<InvocationRecord> records = new LoadRunner().run(invoker, new Workload(arrivals, 0, "classes"),
                    f -> RequestBody.empty("test"), 16, ProgressListener.NONE);
            Map<String, InvocationRecord> byAlias = records.stream()
                    .collect(Collectors.toMap(InvocationRecord::function, r -> r));

            assertThat(List.of(byAlias.get("busy-a").failure(), byAlias.get("busy-b").failure()))
                    .containsExactlyInAnyOrder(FailureClass.NONE, FailureClass.REJECTED);
            assertThat(byAlias.get("fail").failure()).isEqualTo(FailureClass.FUNCTION_ERROR);
            assertThat(byAlias.get("fail").error()).contains("handler_error", "asked to fail");
            assertThat(byAlias.get("example").failure()).isEqualTo(FailureClass.NONE);
            assertThat(byAlias.get("big").failure()).isEqualTo(FailureClass.PLATFORM_ERROR);
            assertThat(byAlias.get("big").error()).contains("no_nodes");
            assertThat(byAlias.get("missing").failure()).isEqualTo(FailureClass.CLIENT_ERROR);
            assertThat(byAlias.get("missing").status()).isEqualTo(404);
            assertThat(byAlias.get("huge").failure()).isEqualTo(FailureClass.CLIENT_ERROR);
            assertThat(byAlias.get("huge").status()).isEqualTo(413);
            assertThat(byAlias.get("refused").failure()).isEqualTo(FailureClass.CLIENT_ERROR);
            assertThat(byAlias.get("refused").status()).isZero();
            assertThat(client.invoke("hello", bodies.of("hello").bytes()).text()).isEqualTo("hello, thaw");

            LoadSummary summary = LoadSummary.of(records);
            assertThat(summary.count(FailureClass.PLATFORM_ERROR)).isEqualTo(1);
            assertThat(summary.exitStatus(false)).isEqualTo(1);

            List<ProcessSample> samples = new ClusterProbe(client).sample();
            assertThat(samples).extracting(ProcessSample::process).containsExactly("gateway", "node-1");
            ProcessSample gatewaySample = samples.get(0);
            assertThat(gatewaySample.rssBytes()).isPositive();
            assertThat(gatewaySample.heapBytes()).isPositive();
            assertThat(gatewaySample.openFds()).isPositive();
            assertThat(gatewaySample.threads()).isPositive();
            assertThat(gatewaySample.instances()).isEqualTo(1);
            ProcessSample node = samples.get(1);
            assertThat(node.rssBytes()).isPositive();
            assertThat(node.children()).isGreaterThanOrEqualTo(1); // hello's QEMU
            assertThat(node.instances()).isEqualTo(1);
            assertThat(node.shmBytes()).isPositive();
        } finally {
            FileTrees.deleteQuietly(work);
        }
        // Closing the cluster stopped its node processes and their QEMU guests.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ProcessHandle.current().descendants().anyMatch(p -> p.isAlive() && !before.contains(p.pid()))
                && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        assertThat(ProcessHandle.current().descendants().filter(p -> p.isAlive() && !before.contains(p.pid()))
                .map(p -> p.pid() + " " + p.info().command().orElse("?")).toList()).isEmpty();
    }
}
