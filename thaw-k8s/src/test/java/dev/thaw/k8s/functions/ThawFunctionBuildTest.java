package dev.thaw.k8s.functions;

import static dev.thaw.k8s.functions.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.http.TlsSettings;
import dev.thaw.k8s.crd.FunctionCondition;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.sandbox.image.ThawHome;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code thaw deploy --kubernetes-namespace} and two gateway replicas on one store and one (mock) API
 * server: one replica builds the function from its archive (a real image build), and the other serves the
 * revision it recorded without building.
 */
@EnableKubernetesMockClient(crud = true)
class ThawFunctionBuildTest {
    private static final String KEY = NS + ".hello";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    /** THAW_TEST_HOME when set (as ./thaw test does), else the user's Thaw home: the kernel and bases are there. */
    private static ThawHome home() {
        String env = System.getenv("THAW_TEST_HOME");
        return env != null && !env.isBlank() ? new ThawHome(Path.of(env)) : ThawHome.fromEnvironment();
    }

    private Gateway start(KubernetesFunctions functions, String replica) throws Exception {
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), "user-token", "join-token")
                .withHome(home()).withRegistryDir(dir.resolve("store"));
        Gateway gateway = Gateway.start(config, TlsSettings.NONE, functions.registryFactory());
        functions.attach(gateway, replica);
        return gateway;
    }

    @Test
    void oneReplicaBuildsTheDeclaredArchiveAndTheOtherServesWhatItRecorded() throws Exception {
        Fixtures.registerCrd(client);
        try (KubernetesFunctions first = new KubernetesFunctions(client, NS);
                Gateway a = start(first, "gateway-0")) {
            ThawFunctionWriter.Written written = new ThawFunctionWriter(client, first.registry().store())
                    .deploy(NS, Path.of("..", "examples", "hello").toAbsolutePath().normalize(),
                            new ThawFunctionSettings(2, null, null, null, null));

            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                FunctionCondition c = status().ready().orElse(null);
                return c != null && c.status().equals("True") && c.observedGeneration() == written.generation();
            });
            ThawFunctionStatus status = status();
            DeployedFunction served = a.functions().find(KEY).orElseThrow();
            assertThat(status.revision()).hasSize(16).isEqualTo(served.revision());
            assertThat(status.served().archive()).isEqualTo(written.archive());
            assertThat(served.settings().concurrency()).isEqualTo(2);

            try (KubernetesFunctions second = new KubernetesFunctions(client, NS);
                    Gateway b = start(second, "gateway-1")) {
                // Loaded at start from the object's status: no build.
                assertThat(b.functions().find(KEY)).hasValueSatisfying(f -> {
                    assertThat(f.revision()).isEqualTo(served.revision());
                    assertThat(f.spec()).isEqualTo(served.spec());
                    assertThat(f.deployedAt()).isEqualTo(served.deployedAt());
                });
                assertThat(b.routers().find(KEY)).isPresent();
                assertThat(status().served().deployedAt()).isEqualTo(status.served().deployedAt());

                client.resources(ThawFunction.class).inNamespace(NS).withName("hello").delete();
                await().atMost(Duration.ofSeconds(30)).until(() -> a.functions().find(KEY).isEmpty()
                        && b.functions().find(KEY).isEmpty());
            }
        }
    }

    private ThawFunctionStatus status() {
        ThawFunction f = client.resources(ThawFunction.class).inNamespace(NS).withName("hello").get();
        return f == null || f.getStatus() == null ? ThawFunctionStatus.EMPTY : f.getStatus();
    }
}
