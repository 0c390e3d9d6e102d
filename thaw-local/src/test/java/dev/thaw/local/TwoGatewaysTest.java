package dev.thaw.local;

import dev.thaw.snapshot.testing.TestS3;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.GatewayClient;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.node.http.ApiClient;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.OwnedProcesses;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.NodeSummary;
import dev.thaw.wire.v1.node.NodeStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two gateways over one registry in the embedded S3 server, each in a JVM of its own, and a real node process
 * (QEMU guests) registered with both: a function deployed through either is served through the other, and after
 * one gateway is SIGKILLed the other serves every function; the QEMU processes under the node are exactly the
 * instances it reports, and none outlives the node.
 */
class TwoGatewaysTest {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void eitherGatewayServesWhatTheOtherDeployedAndTheSurvivorServesEverythingAfterAKill() throws Exception {
        Path work = Files.createTempDirectory("thaw-two-gateways");
        String apiToken = token();
        String nodeToken = token();
        List<AutoCloseable> closing = new ArrayList<>();
        List<Process> gateways = new ArrayList<>();
        List<ProcessHandle> qemus = new ArrayList<>();
        try {
            EmbeddedS3Server s3 = EmbeddedS3Server.start(work.resolve("s3"), 0, null, null);
            closing.add(s3);
            try (S3ObjectStore objects = new S3ObjectStore(TestS3.config(s3, "thaw"))) {
                objects.createBucketIfMissing();
            }
            List<URI> urls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int port = freePort();
                gateways.add(startGateway(port, s3, apiToken, nodeToken));
                urls.add(URI.create("http://127.0.0.1:" + port + "/"));
            }
            NodeProcess node = NodeProcess.start("node-1", List.of("--name=node-1", "--listen=127.0.0.1:0",
                    "--gateway=" + urls.get(0) + "," + urls.get(1), "--mode=remote",
                    "--work-dir=" + work.resolve("node-1"), "--cache-budget-mib=2048", "--memory-mib=2048",
                    "--slots=4", "--prestart=0", "--thaw-home=" + TestGuests.home().root().toAbsolutePath(),
                    "--s3-endpoint=" + s3.endpoint(), "--s3-bucket=thaw", "--s3-region=" + EmbeddedS3Server.REGION),
                    Map.of("THAW_NODE_TOKEN", nodeToken, "THAW_S3_ACCESS_KEY", s3.accessKey(),
                            "THAW_S3_SECRET_KEY", s3.secretKey()), work.resolve("node-1.log"), Duration.ofSeconds(60));
            closing.add(node);
            GatewayClient first = new GatewayClient(urls.get(0), apiToken);
            GatewayClient second = new GatewayClient(urls.get(1), apiToken);
            for (GatewayClient client : List.of(first, second)) {
                awaitTrue(() -> client.nodes().stream().anyMatch(NodeSummary::alive), "the node registers with both");
            }

            // One function deployed through each gateway.
            FunctionSettings.Request settings = new FunctionSettings.Request(4, 4, 600_000L, null, null);
            first.deploy(TestGuests.example("hello").toAbsolutePath(), settings);
            Path twin = copyAs(TestGuests.example("hello"), work.resolve("hello-twin"), "hello-twin");
            second.deploy(twin, settings);
            assertThat(second.invoke("hello", "b".getBytes(UTF_8)).text()).isEqualTo("hello, b");
            assertThat(first.invoke("hello-twin", "a".getBytes(UTF_8)).text()).isEqualTo("hello, a");
            assertThat(first.invoke("hello", "a".getBytes(UTF_8)).text()).isEqualTo("hello, a");
            assertThat(second.invoke("hello-twin", "b".getBytes(UTF_8)).text()).isEqualTo("hello, b");
            assertThat(first.list()).extracting(FunctionView::name, FunctionView::revision)
                    .containsExactlyElementsOf(second.list().stream()
                            .map(f -> org.assertj.core.groups.Tuple.tuple(f.name(), f.revision())).toList());

            Process killed = gateways.getFirst();
            killed.destroyForcibly();
            assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long after = System.nanoTime();
            for (int round = 0; round < 3; round++) {
                for (String function : List.of("hello", "hello-twin")) {
                    GatewayClient.Answer answer = second.invoke(function, ("r" + round).getBytes(UTF_8));
                    assertThat(answer.status()).as(function + ": " + answer.text()).isEqualTo(200);
                    assertThat(answer.text()).isEqualTo("hello, r" + round);
                }
            }
            System.out.printf("after SIGKILL of one of two gateways: 6 of 6 calls through the other succeeded in"
                    + " %.0f ms%n", (System.nanoTime() - after) / 1e6);
            assertThat(second.list()).extracting(FunctionView::name).containsExactly("hello", "hello-twin");

            // The QEMU processes under the node are the instances it reports: the killed gateway's among them,
            // until the node's idle reaper stops them; nothing else.
            String callToken = NodeTokens.callToken(new IdentityFile(work.resolve("node-1")).load("node-1")
                    .orElseThrow().token());
            ApiClient nodeApi = new ApiClient(node.url(), callToken, Duration.ofSeconds(10));
            awaitTrue(() -> {
                NodeStatus status = nodeApi.json("GET", "v1/status", null, NodeStatus.class, Duration.ofSeconds(10));
                return status.instances().size() == qemusUnder(node.pid()).size()
                        && status.instances().size() >= second.status().instances();
            }, "QEMU processes and node instances agree");
            qemus.addAll(qemusUnder(node.pid()));
            assertThat(qemus).isNotEmpty();
            node.close();
            for (ProcessHandle qemu : qemus) {
                assertThat(qemu.isAlive()).as("QEMU " + qemu.pid() + " outlives its node").isFalse();
            }
        } finally {
            for (Process gateway : gateways) {
                gateway.destroyForcibly();
                gateway.waitFor(10, TimeUnit.SECONDS);
            }
            for (AutoCloseable c : closing.reversed()) {
                c.close();
            }
            qemus.forEach(ProcessHandle::destroyForcibly);
            FileTrees.deleteQuietly(work);
        }
    }

    /** A copy of the function in {@code source} under another name. */
    private static Path copyAs(Path source, Path target, String name) throws IOException {
        Files.createDirectories(target);
        try (var files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        Path manifest = target.resolve("thaw.yaml");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("(?m)^name: .*$", "name: " + name));
        return target.toAbsolutePath();
    }

    private static List<ProcessHandle> qemusUnder(long pid) {
        return ProcessHandle.of(pid).map(p -> p.descendants().filter(d -> d.info().command()
                .map(c -> c.contains("qemu-system")).orElse(false)).toList()).orElse(List.of());
    }

    private static Process startGateway(int port, EmbeddedS3Server s3, String apiToken, String nodeToken)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dbasedir=" + System.getProperty("basedir", "."), "-cp", System.getProperty("java.class.path"),
                KillableGateway.class.getName(), Integer.toString(port), s3.endpoint().toString(), s3.accessKey(),
                s3.secretKey())).redirectErrorStream(true);
        builder.environment().put("THAW_TEST_API_TOKEN", apiToken);
        builder.environment().put("THAW_TEST_NODE_TOKEN", nodeToken);
        // Both gateways key node credentials alike, so the node's one credential is good at each.
        builder.environment().put("THAW_TEST_IDENTITY_KEY", "two-gateways-test-identity-key");
        Process process = OwnedProcesses.start(builder, OwnedProcesses.CreatedFiles.INHERITED);
        ReadyLine.await(process, "the gateway", READY_TIMEOUT, new StringBuffer());
        return process;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) {
        // IOException: not yet reachable
        org.awaitility.Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(IOException.class).until(check::holds);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String token() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
