package dev.thaw.k8s.functions;

import static dev.thaw.k8s.functions.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.registry.RegistryConflictException;
import dev.thaw.control.registry.RegistryContents;
import dev.thaw.control.registry.StoredFunction;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.testkit.FakeClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class ThawFunctionRegistryTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path storeDir;

    private final FakeClock clock = new FakeClock(Fixtures.AT);
    private DirectoryObjectStore store;
    private ThawFunctionRegistry registry;
    private String digest;

    @BeforeEach
    void start() throws Exception {
        Fixtures.registerCrd(client);
        store = new DirectoryObjectStore(storeDir);
        registry = new ThawFunctionRegistry(client, NS, store, clock, Duration.ofMinutes(10));
        digest = registry.putArchive("an archive".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private io.fabric8.kubernetes.client.dsl.Resource<ThawFunction> api(String name) {
        return client.resources(ThawFunction.class).inNamespace(NS).withName(name);
    }

    private ThawFunction create(String name, ThawFunctionSettings settings) {
        return client.resources(ThawFunction.class).inNamespace(NS).resource(Fixtures.object(name, digest, settings))
                .create();
    }

    @Test
    void theInformerSeesObjectsCreatedUpdatedAndDeleted() {
        create("hello", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.cached("hello") != null);

        api("hello").edit(f -> {
            f.setSpec(new dev.thaw.k8s.crd.ThawFunctionSpec(f.getSpec().archive(),
                    new ThawFunctionSettings(4, null, null, null, null)));
            return f;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ThawFunctionRegistry.generation(registry.cached("hello")) == 2
                && registry.cached("hello").getSpec().settings().concurrency() == 4);

        api("hello").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.cached("hello") == null);
    }

    @Test
    void writingTheRevisionOfTheDeclaredSpecRecordsItInTheStatusAndLoadServesIt() throws Exception {
        create("hello", new ThawFunctionSettings(2, null, null, null, null));
        FunctionSettings settings = new ThawFunctionSettings(2, null, null, null, null).resolve();
        DeployedFunction built = Fixtures.built("hello", "rev-1", settings);

        StoredFunction stored = registry.write(built, digest, 0);

        assertThat(stored.generation()).isEqualTo(1);
        ThawFunction written = api("hello").get();
        ThawFunctionStatus status = written.getStatus();
        assertThat(status.revision()).isEqualTo("rev-1");
        assertThat(status.observedGeneration()).isEqualTo(1);
        assertThat(status.ready()).hasValueSatisfying(c -> {
            assertThat(c.status()).isEqualTo("True");
            assertThat(c.reason()).isEqualTo("Deployed");
            assertThat(c.lastTransitionTime()).isEqualTo(Fixtures.AT.toString());
        });
        assertThat(written.getMetadata().getGeneration()).as("a status write is no spec change").isEqualTo(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> registry.cached("hello") != null
                && registry.cached("hello").getStatus() != null);
        RegistryContents loaded = registry.load();
        assertThat(loaded.functions()).singleElement().satisfies(f -> {
            assertThat(f.function()).isEqualTo(built);
            assertThat(f.archiveDigest()).isEqualTo(digest);
            assertThat(f.generation()).isEqualTo(1);
        });
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.generations()).containsEntry(NS + ".hello", 1L);
    }

    @Test
    void aSpecNotDeclaredIsRefusedAndAStaleGenerationIsAConflict() throws Exception {
        create("hello", null);
        api("hello").edit(f -> {
            f.setSpec(new dev.thaw.k8s.crd.ThawFunctionSpec(f.getSpec().archive(),
                    new ThawFunctionSettings(3, null, null, null, null)));
            return f;
        });
        DeployedFunction other = Fixtures.built("hello", "rev-1", FunctionSettings.DEFAULTS);

        assertThatThrownBy(() -> registry.write(other, digest, 1)).isInstanceOf(RegistryConflictException.class)
                .hasMessageContaining("expected generation 1, found 2");
        assertThatThrownBy(() -> registry.write(other, digest, 2)).isInstanceOf(StoreException.class)
                .hasMessageContaining("gateways do not write");
        assertThatThrownBy(() -> registry.write(Fixtures.built("absent", "r", FunctionSettings.DEFAULTS), digest, 3))
                .isInstanceOf(RegistryConflictException.class).hasMessageContaining("found 0");
        assertThat(api("hello").get().getStatus()).isNull();
    }

    @Test
    void deleteSucceedsOnceTheObjectIsGoneAndRefusesWhileItExists() throws Exception {
        create("hello", null);

        assertThatThrownBy(() -> registry.delete(NS + ".hello", 1)).isInstanceOf(StoreException.class)
                .hasMessageContaining("kubectl delete thawfunction hello -n " + NS);
        assertThatThrownBy(() -> registry.delete(NS + ".hello", 5)).isInstanceOf(RegistryConflictException.class);
        api("hello").delete();
        assertThat(registry.delete(NS + ".hello", 1)).isZero();
        assertThatThrownBy(() -> registry.delete("hello", 1)).isInstanceOf(StoreException.class)
                .hasMessageContaining("function default/hello is not in namespace " + NS);
    }

    @Test
    void loadReportsSpecsNotYetDeployedAndStatusesThatCannotBeServed() throws Exception {
        create("pending", null);
        ThawFunction broken = create("broken", null);
        broken.setStatus(ThawFunctionStatus.EMPTY.withServed(new dev.thaw.k8s.crd.ServedRevision("r", null, null,
                null, null, null, null)));
        client.resources(ThawFunction.class).inNamespace(NS).resource(broken).updateStatus();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.cached("pending") != null
                && registry.cached("broken") != null && registry.cached("broken").getStatus() != null);

        RegistryContents loaded = registry.load();

        assertThat(loaded.functions()).isEmpty();
        assertThat(loaded.problems()).extracting(p -> p.function() + ": " + p.problem()).containsExactlyInAnyOrder(
                NS + ".pending: generation 1 of its spec is not deployed yet; a gateway is deploying it",
                NS + ".broken: its status.served cannot be served: status.served lacks its revision, settings, deployment"
                        + " or deployedAt; the gateway builds its spec again");
        assertThat(loaded.problems()).allSatisfy(p -> assertThat(p.serving()).isFalse());
    }

    @Test
    void archivesStayInTheStoreByDigest() throws Exception {
        byte[] bytes = "code".getBytes(StandardCharsets.UTF_8);
        String d = registry.putArchive(bytes);

        assertThat(registry.hasArchive(d)).isTrue();
        assertThat(registry.archive(d)).isEqualTo(bytes);
        assertThat(store.list("registry/archives/")).contains("registry/archives/" + d + ".tar.gz");
        assertThat(registry.describe()).contains("namespace " + NS);
    }
}
