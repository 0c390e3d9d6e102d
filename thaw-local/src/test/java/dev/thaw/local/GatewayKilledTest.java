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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL of the gateway under load, on the real stack: a node process with QEMU guests, the
 * embedded S3 server, and the gateway in a JVM of its own. Requests in flight fail at once; a
 * gateway started again on the same store serves the function at the same revision without a
 * redeploy; the node registers again by itself and stops the instance no gateway owns; the
 * first start after the restart restores the snapshot; no QEMU process is left unaccounted for.
 */
class GatewayKilledTest {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aGatewayKilledUnderLoadComesBackWithEveryFunctionAndNoOrphanedVm() throws Exception {
        Path work = Files.createTempDirectory("thaw-gateway-killed");
        String apiToken = token();
        String nodeToken = token();
        int port = freePort();
        List<AutoCloseable> closing = new ArrayList<>();
        Process gateway = null;
        try {
            EmbeddedS3Server s3 = EmbeddedS3Server.start(work.resolve("s3"), 0, null, null);
            closing.add(s3);
            try (S3ObjectStore objects = new S3ObjectStore(TestS3.config(s3, "thaw"))) {
                objects.createBucketIfMissing();
            }
            gateway = startGateway(port, s3, apiToken, nodeToken);
            URI url = URI.create("http://127.0.0.1:" + port + "/");
            NodeProcess node = NodeProcess.start("node-1", List.of("--name=node-1", "--listen=127.0.0.1:0",
                    "--gateway=" + url, "--mode=remote", "--work-dir=" + work.resolve("node-1"),
                    "--cache-budget-mib=2048", "--memory-mib=2048", "--slots=4", "--prestart=0",
                    "--thaw-home=" + TestGuests.home().root().toAbsolutePath(), "--s3-endpoint=" + s3.endpoint(),
                    "--s3-bucket=thaw", "--s3-region=" + EmbeddedS3Server.REGION),
                    Map.of("THAW_NODE_TOKEN", nodeToken, "THAW_S3_ACCESS_KEY", s3.accessKey(),
                            "THAW_S3_SECRET_KEY", s3.secretKey()), work.resolve("node-1.log"), Duration.ofSeconds(60));
            closing.add(node);
            GatewayClient client = new GatewayClient(url, apiToken);
            awaitTrue(() -> client.nodes().stream().anyMatch(n -> n.alive()), "the node registers");
            client.deploy(TestGuests.example("hello").toAbsolutePath(),
                    new FunctionSettings.Request(4, 4, 600_000L, null, null));
            GatewayClient.Answer first = client.invoke("hello", "first".getBytes(UTF_8));
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("X-Thaw-Start")).isEqualTo("boot");
            String revision = client.list().getFirst().revision();

            // Load: clients call in a loop until a call fails; the kill must fail them fast.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger succeeded = new AtomicInteger();
            ExecutorService load = Executors.newFixedThreadPool(3);
            List<Future<Long>> failedAt = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                failedAt.add(load.submit(() -> {
                    while (!stop.get()) {
                        try {
                            GatewayClient.Answer a = client.invoke("hello", "sleep:300".getBytes(UTF_8));
                            if (a.status() != 200) {
                                return System.nanoTime();
                            }
                            succeeded.incrementAndGet();
                        } catch (IOException e) {
                            return System.nanoTime();
                        }
                    }
                    return -1L;
                }));
            }
            awaitTrue(() -> succeeded.get() >= 6, "calls succeed under load");
            long killed = System.nanoTime();
            gateway.destroyForcibly();
            assertThat(gateway.waitFor(10, TimeUnit.SECONDS)).isTrue();
            double slowestFailureMs = 0;
            for (Future<Long> f : failedAt) {
                long at = f.get(30, TimeUnit.SECONDS);
                assertThat(at).as("a call in flight or after the kill fails").isPositive();
                slowestFailureMs = Math.max(slowestFailureMs, (at - killed) / 1e6);
            }
            load.shutdownNow();
            System.out.printf("gateway SIGKILL: %d calls had succeeded; every caller failed within %.0f ms%n",
                    succeeded.get(), slowestFailureMs);

            long restarting = System.nanoTime();
            gateway = startGateway(port, s3, apiToken, nodeToken);
            double readyMs = (System.nanoTime() - restarting) / 1e6;
            GatewayClient.Answer after = null;
            while (System.nanoTime() - restarting < WAIT.toNanos()) {
                after = client.invoke("hello", "after".getBytes(UTF_8));
                if (after.status() == 200) {
                    break;
                }
                Thread.sleep(20);
            }
            double firstMs = (System.nanoTime() - restarting) / 1e6;
            assertThat(after.status()).as(after.text()).isEqualTo(200);
            assertThat(after.text()).isEqualTo("hello, after");
            System.out.printf("gateway restart: JVM start to ready %.0f ms; to the first successful invocation %.0f ms"
                    + " (start tier %s)%n", readyMs, firstMs, after.header("X-Thaw-Start"));
            assertThat(after.header("X-Thaw-Start")).as("a snapshot exists").isNotEqualTo("boot");
            assertThat(client.list()).extracting(FunctionView::name, FunctionView::revision)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("hello", revision));

            // No orphans: every QEMU process under the node is an instance the new gateway routes to.
            String callToken = NodeTokens.callToken(new IdentityFile(work.resolve("node-1")).load("node-1")
                    .orElseThrow().token());
            ApiClient nodeApi = new ApiClient(node.url(), callToken, Duration.ofSeconds(10));
            awaitTrue(() -> {
                NodeStatus status = nodeApi.json("GET", "v1/status", null, NodeStatus.class, Duration.ofSeconds(10));
                long qemus = qemusUnder(node.pid());
                int routed = client.status().instances();
                return status.instances().size() == routed && qemus == routed;
            }, "QEMU processes, node instances and routed instances agree");
            System.out.printf("after the restart: %d instance(s) routed, %d QEMU process(es) under the node, 0"
                    + " orphaned%n", client.status().instances(), qemusUnder(node.pid()));
        } finally {
            if (gateway != null) {
                gateway.destroyForcibly();
                gateway.waitFor(10, TimeUnit.SECONDS);
            }
            for (AutoCloseable c : closing.reversed()) {
                c.close();
            }
            FileTrees.deleteQuietly(work);
        }
    }

    private static long qemusUnder(long pid) {
        return ProcessHandle.of(pid).map(p -> p.descendants().filter(d -> d.info().command()
                .map(c -> c.contains("qemu-system")).orElse(false)).count()).orElse(0L);
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
        // The restarted gateway must key node credentials as the first did, or the node is locked out.
        builder.environment().put("THAW_TEST_IDENTITY_KEY", "gateway-killed-test-identity-key");
        Process process = OwnedProcesses.start(builder, OwnedProcesses.CreatedFiles.INHERITED);
        ReadyLine.await(process, "the gateway", READY_TIMEOUT, new StringBuffer());
        return process;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) {
        // IOException: not yet reachable
        org.awaitility.Awaitility.await(what).atMost(WAIT).pollInterval(java.time.Duration.ofMillis(50))
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
