package dev.thaw.k8s.functions;

import static dev.thaw.k8s.functions.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.functions.Archives;
import dev.thaw.control.registry.ObjectStoreRegistry;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class ThawFunctionWriterTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private DirectoryObjectStore store;
    private ThawFunctionWriter writer;
    private Path function;

    @BeforeEach
    void setUp() throws Exception {
        Fixtures.registerCrd(client);
        store = new DirectoryObjectStore(dir.resolve("store"));
        writer = new ThawFunctionWriter(client, store);
        function = Files.createDirectories(dir.resolve("hello"));
        Files.writeString(function.resolve("thaw.yaml"), "name: hello\nruntime: python3\nhandler: main:handle\n"
                + "memory_mib: 256\n");
        Files.writeString(function.resolve("main.py"), "def handle(event):\n    return event\n");
    }

    private ThawFunction object() {
        return client.resources(ThawFunction.class).inNamespace(NS).withName("hello").get();
    }

    @Test
    void deployUploadsTheArchiveByDigestAndCreatesThenUpdatesTheObject() throws Exception {
        ThawFunctionWriter.Written first = writer.deploy(NS, function, ThawFunctionSettings.NONE);

        String digest = first.archive().substring("sha256:".length());
        assertThat(first.created()).isTrue();
        assertThat(first.generation()).isEqualTo(1);
        byte[] uploaded = store.get(ObjectStoreRegistry.archiveKey(digest));
        assertThat(ObjectStoreRegistry.sha256(uploaded)).isEqualTo(digest);
        Path unpacked = dir.resolve("unpacked");
        Archives.extractTarGz(uploaded, unpacked, 1 << 20);
        assertThat(unpacked.resolve("thaw.yaml")).hasSameTextualContentAs(function.resolve("thaw.yaml"));
        assertThat(object().getSpec().archive()).isEqualTo("sha256:" + digest);

        Files.writeString(function.resolve("main.py"), "def handle(event):\n    return 'changed'\n");
        ThawFunctionWriter.Written second = writer.deploy(NS, function,
                new ThawFunctionSettings(2, null, null, null, null));

        assertThat(second.created()).isFalse();
        assertThat(second.generation()).isEqualTo(2);
        assertThat(second.archive()).isNotEqualTo(first.archive());
        assertThat(object().getSpec().settings().concurrency()).isEqualTo(2);
        assertThat(object().getSpec().archive()).isEqualTo(second.archive());
    }

    @Test
    void badSettingsAreRefusedBeforeAnythingIsUploadedOrWritten() throws Exception {
        assertThatThrownBy(() -> writer.deploy(NS, function, new ThawFunctionSettings(null, 0, null, null, null)))
                .isInstanceOf(InvalidFunction.class).hasMessage("spec.settings: maxInstances must be 1..10000, got 0");

        assertThat(store.list("registry/archives/")).isEmpty();
        assertThat(object()).isNull();
    }
}
