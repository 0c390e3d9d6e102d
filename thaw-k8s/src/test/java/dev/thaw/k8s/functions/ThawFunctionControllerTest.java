package dev.thaw.k8s.functions;

import static dev.thaw.k8s.functions.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.control.functions.Archives;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.http.TlsSettings;
import dev.thaw.k8s.crd.FunctionCondition;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionSpec;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.sandbox.image.ThawHome;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gateway whose registry is the ThawFunctions of a mock API server: what the objects
 * declare is served, what is malformed or conflicting is refused on its status and not deployed.
 */
@EnableKubernetesMockClient(crud = true)
class ThawFunctionControllerTest {
    private static final String KEY = NS + ".hello";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private Gateway gateway;
    private KubernetesFunctions functions;
    private ThawFunctionRegistry registry;

    @BeforeEach
    void registerCrd() throws Exception {
        Fixtures.registerCrd(client);
    }

    private void startGateway() throws Exception {
        functions = new KubernetesFunctions(client, NS);
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), "user-token", "join-token")
                .withHome(new ThawHome(dir.resolve("home"))).withRegistryDir(dir.resolve("store"));
        gateway = Gateway.start(config, TlsSettings.NONE, functions.registryFactory());
        functions.attach(gateway, "gateway-0");
        registry = functions.registry();
    }

    @AfterEach
    void stop() {
        if (functions != null) {
            functions.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Keeps {@code bytes} in the store the gateway will use, as 'thaw deploy' would have. */
    private String putArchive(byte[] bytes) throws Exception {
        return new dev.thaw.control.registry.ObjectStoreRegistry(
                new dev.thaw.snapshot.store.DirectoryObjectStore(dir.resolve("store")),
                java.time.InstantSource.system()).putArchive(bytes);
    }

    /** An object as the replica that built it left it: spec and status.served, before this gateway starts. */
    private void builtByAnotherReplica(String digest) throws Exception {
        DeployedFunction built = Fixtures.built("hello", "rev-1", FunctionSettings.DEFAULTS);
        ThawFunction created = apply(Fixtures.object("hello", digest, null));
        created.setStatus(ThawFunctionStatus.EMPTY.withServed(ServedRevisions.of(built, digest)));
        client.resources(ThawFunction.class).inNamespace(NS).resource(created).updateStatus();
        startGateway();
    }

    private ThawFunction apply(ThawFunction object) {
        return client.resources(ThawFunction.class).inNamespace(NS).resource(object).create();
    }

    private ThawFunction api(String name) {
        return client.resources(ThawFunction.class).inNamespace(NS).withName(name).get();
    }

    private FunctionCondition readyOf(String name, long generation) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ThawFunction f = api(name);
            Optional<FunctionCondition> ready = f == null ? Optional.empty() : Fixtures.status(f).ready();
            return ready.isPresent() && ready.get().observedGeneration() == generation
                    && !ready.get().status().equals("Unknown");
        });
        return Fixtures.status(api(name)).ready().orElseThrow();
    }

    private String archive(String manifestName) throws Exception {
        Path fn = Files.createDirectories(dir.resolve("src-" + manifestName));
        Files.writeString(fn.resolve("thaw.yaml"), "name: " + manifestName + "\nruntime: python3\n"
                + "handler: main:handle\nmemory_mib: 256\n");
        Files.writeString(fn.resolve("main.py"), "def handle(event):\n    return event\n");
        return registry.putArchive(Archives.tarGz(fn));
    }

    @Test
    void malformedObjectsGetReadyFalseWithAReasonAndNothingIsDeployed() throws Exception {
        startGateway();
        String stored = registry.putArchive("an archive".getBytes(StandardCharsets.UTF_8));
        String absent = "0".repeat(64);
        apply(ThawFunction.of(NS, "bad-digest", new ThawFunctionSpec("sha256:XYZ", null)));
        apply(ThawFunction.of(NS, "no-archive", new ThawFunctionSpec(null, null)));
        apply(Fixtures.object("missing", absent, null));
        apply(Fixtures.object("zero-conc", stored, new ThawFunctionSettings(0, null, null, null, null)));
        apply(Fixtures.object("9lives", stored, null));
        apply(Fixtures.object("other-name", archive("hello"), null));

        assertThat(readyOf("bad-digest", 1)).satisfies(c -> {
            assertThat(c.status()).isEqualTo("False");
            assertThat(c.reason()).isEqualTo(InvalidFunction.INVALID_ARCHIVE);
            assertThat(c.message()).contains("spec.archive 'sha256:XYZ' is not sha256:<64 lower-case hex digits>");
        });
        assertThat(readyOf("no-archive", 1).message()).contains("spec.archive is missing");
        assertThat(readyOf("missing", 1)).satisfies(c -> {
            assertThat(c.reason()).isEqualTo(InvalidFunction.ARCHIVE_MISSING);
            assertThat(c.message()).contains("the store holds no archive sha256:" + absent);
        });
        assertThat(readyOf("zero-conc", 1)).satisfies(c -> {
            assertThat(c.reason()).isEqualTo(InvalidFunction.INVALID_SETTINGS);
            assertThat(c.message()).isEqualTo("spec.settings: concurrency must be 1..1000, got 0");
        });
        assertThat(readyOf("9lives", 1)).satisfies(c -> {
            assertThat(c.reason()).isEqualTo(InvalidFunction.INVALID_NAME);
            assertThat(c.message()).contains("metadata.name '9lives' is not a function name");
        });
        assertThat(readyOf("other-name", 1)).satisfies(c -> {
            assertThat(c.reason()).isEqualTo(InvalidFunction.NAME_CONFLICT);
            assertThat(c.message()).contains("names function 'hello', but this ThawFunction is 'other-name'");
        });
        assertThat(gateway.functions().all()).isEmpty();
        assertThat(gateway.routers().find(KEY)).isEmpty();
        assertThat(Fixtures.status(api("missing")).served()).isNull();
    }

    @Test
    void aSpecAnotherReplicaBuiltIsServedItsSettingsFollowTheObjectAndADeleteRemovesIt() throws Exception {
        builtByAnotherReplica(putArchive("code".getBytes(StandardCharsets.UTF_8)));

        assertThat(readyOf("hello", 1)).satisfies(c -> {
            assertThat(c.status()).isEqualTo("True");
            assertThat(c.reason()).isEqualTo("Deployed");
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.functions().find(KEY).isPresent());
        assertThat(gateway.functions().find(KEY).orElseThrow().revision()).isEqualTo("rev-1");
        assertThat(gateway.routers().find(KEY)).isPresent();

        client.resources(ThawFunction.class).inNamespace(NS).withName("hello").edit(f -> {
            f.setSpec(new ThawFunctionSpec(f.getSpec().archive(), new ThawFunctionSettings(4, 3, null, null, null)));
            return f;
        });

        assertThat(readyOf("hello", 2).status()).isEqualTo("True");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> gateway.functions().find(KEY).orElseThrow().settings().concurrency() == 4);
        assertThat(gateway.functions().find(KEY).orElseThrow().settings().maxInstances()).isEqualTo(3);
        assertThat(Fixtures.status(api("hello")).served().settings().concurrency()).isEqualTo(4);
        assertThat(Fixtures.status(api("hello")).revision()).as("same archive: no new build").isEqualTo("rev-1");

        client.resources(ThawFunction.class).inNamespace(NS).withName("hello").delete();

        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.functions().find(KEY).isEmpty());
        assertThat(gateway.routers().find(KEY)).isEmpty();
    }

    @Test
    void aBadSpecLeavesTheRevisionServedBeforeServing() throws Exception {
        builtByAnotherReplica(putArchive("code".getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(20)).until(() -> gateway.functions().find(KEY).isPresent());

        client.resources(ThawFunction.class).inNamespace(NS).withName("hello").edit(f -> {
            f.setSpec(new ThawFunctionSpec(f.getSpec().archive(),
                    new ThawFunctionSettings(null, null, 90_000_000L, null, null)));
            return f;
        });

        assertThat(readyOf("hello", 2)).satisfies(c -> {
            assertThat(c.status()).isEqualTo("False");
            assertThat(c.message()).contains("keepAliveMs must be 0..86400000");
        });
        assertThat(gateway.functions().find(KEY).orElseThrow().settings()).isEqualTo(FunctionSettings.DEFAULTS);
        assertThat(Fixtures.status(api("hello")).revision()).isEqualTo("rev-1");
    }
}
