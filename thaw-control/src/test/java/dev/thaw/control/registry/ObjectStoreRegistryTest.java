package dev.thaw.control.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.MachineShape;
import dev.thaw.control.functions.DeployedFunction;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import dev.thaw.wire.v1.node.DeploymentSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object-store registry on a real directory store: generations, conflicts, and bad records. */
class ObjectStoreRegistryTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path root;

    private ObjectStoreRegistry registry(DirectoryObjectStore store) {
        return new ObjectStoreRegistry(store, InstantSource.fixed(AT));
    }

    static DeployedFunction function(String name, String revision) {
        DeploymentSpec spec = new DeploymentSpec(name, revision, MachineShape.DEFAULT, 5_000, 5_000, "kernel",
                List.of("base", "layer"), List.of("/images/base.ext4", "/images/layer.ext4"));
        return new DeployedFunction(name, revision, new FunctionSettings(2, 3, 4_000, 5, 6_000), spec, "image",
                AT, new dev.thaw.api.ExampleRequest("{\"n\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "application/json"));
    }

    @Test
    void writesSurviveANewReaderWithEveryField() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        ObjectStoreRegistry first = registry(store);
        String archive = first.putArchive("code".getBytes(StandardCharsets.UTF_8));
        StoredFunction hello = first.write(function("hello", "r1"), archive, 0);
        first.write(function("other", "r9"), null, 0);
        StoredFunction hello2 = first.write(function("hello", "r2"), archive, hello.generation());

        RegistryContents loaded = registry(new DirectoryObjectStore(root)).load();
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.functions()).containsExactlyInAnyOrder(hello2,
                new StoredFunction(function("other", "r9"), null, 1));
        assertThat(loaded.generations()).containsEntry("hello", 2L).containsEntry("other", 1L);
        assertThat(new String(first.archive(archive), StandardCharsets.UTF_8)).isEqualTo("code");
        assertThat(store.list("registry/archives/")).containsExactly("registry/archives/" + archive + ".tar.gz");
    }

    @Test
    void aStaleGenerationConflictsAndChangesNothing() throws Exception {
        ObjectStoreRegistry registry = registry(new DirectoryObjectStore(root));
        registry.write(function("hello", "r1"), null, 0);
        assertThatThrownBy(() -> registry.write(function("hello", "r2"), null, 0))
                .isInstanceOf(RegistryConflictException.class).hasMessageContaining("expected registry generation 0");
        assertThatThrownBy(() -> registry.delete("hello", 5)).isInstanceOf(RegistryConflictException.class);
        assertThat(registry.load().functions()).extracting(f -> f.function().revision()).containsExactly("r1");
    }

    @Test
    void ofManyRacingWritersOfOneGenerationExactlyOneWins() throws Exception {
        ObjectStoreRegistry registry = registry(new DirectoryObjectStore(root));
        int writers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (int i = 0; i < writers; i++) {
                String revision = "r" + i;
                Callable<Boolean> write = () -> {
                    go.await();
                    try {
                        registry.write(function("hello", revision), null, 0);
                        return true;
                    } catch (RegistryConflictException e) {
                        return false;
                    }
                };
                results.add(pool.submit(write));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> r : results) {
                won += r.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        }
        assertThat(registry.load().functions()).hasSize(1);
    }

    @Test
    void aDeletionIsAGenerationAndTheNameCanComeBack() throws Exception {
        ObjectStoreRegistry registry = registry(new DirectoryObjectStore(root));
        registry.write(function("hello", "r1"), null, 0);
        assertThat(registry.delete("hello", 1)).isEqualTo(2);
        RegistryContents loaded = registry.load();
        assertThat(loaded.functions()).isEmpty();
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.generations()).containsEntry("hello", 2L);
        assertThat(registry.write(function("hello", "r3"), null, 2).generation()).isEqualTo(3);
    }

    @Test
    void oldGenerationsArePruned() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        ObjectStoreRegistry registry = registry(store);
        for (int g = 0; g < 20; g++) {
            registry.write(function("hello", "r" + g), null, g);
        }
        assertThat(store.list("registry/functions/hello/")).hasSize(ObjectStoreRegistry.KEPT_GENERATIONS);
        assertThat(registry.load().functions()).extracting(f -> f.function().revision()).containsExactly("r19");
    }

    @Test
    void badRecordsAreReportedByNameAndTheOthersStillLoad() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        ObjectStoreRegistry registry = registry(store);
        registry.write(function("good", "r1"), null, 0);
        store.put(ObjectStoreRegistry.recordKey("garbled", 1), "{not json".getBytes(StandardCharsets.UTF_8));
        String future = new String(store.get(ObjectStoreRegistry.recordKey("good", 1)), StandardCharsets.UTF_8)
                .replace("\"format\":1", "\"format\":7").replace("\"name\":\"good\"", "\"name\":\"future\"");
        store.put(ObjectStoreRegistry.recordKey("future", 1), future.getBytes(StandardCharsets.UTF_8));
        String misplaced = new String(store.get(ObjectStoreRegistry.recordKey("good", 1)), StandardCharsets.UTF_8);
        store.put(ObjectStoreRegistry.recordKey("moved", 4), misplaced.getBytes(StandardCharsets.UTF_8));
        registry.write(function("archived", "r1"), "ab".repeat(32), 0);
        store.put("registry/functions/stray.json", new byte[] {1});

        RegistryContents loaded = registry.load();
        assertThat(loaded.functions()).extracting(f -> f.function().name()).containsExactly("archived", "good");
        assertThat(loaded.problems()).extracting(RegistryProblem::function)
                .containsExactlyInAnyOrder("stray.json", "garbled", "future", "moved", "archived");
        assertThat(problem(loaded, "garbled").problem()).contains("malformed");
        assertThat(problem(loaded, "garbled").key()).isEqualTo(ObjectStoreRegistry.recordKey("garbled", 1));
        assertThat(problem(loaded, "garbled").serving()).isFalse();
        assertThat(problem(loaded, "future").problem()).contains("format 7", "newer Thaw");
        assertThat(problem(loaded, "moved").problem()).contains("names function 'good'");
        assertThat(problem(loaded, "moved").generation()).isEqualTo(4);
        assertThat(problem(loaded, "archived").problem()).contains("is gone", "keeps serving");
        assertThat(problem(loaded, "archived").serving()).isTrue();
        // A new deploy over a bad record names its generation and repairs it.
        registry.write(function("garbled", "r2"), null, loaded.generations().get("garbled"));
        assertThat(registry.load().problems()).extracting(RegistryProblem::function).doesNotContain("garbled");
    }

    @Test
    void aMissingArchiveIsNotFound() throws Exception {
        ObjectStoreRegistry registry = registry(new DirectoryObjectStore(root));
        assertThatThrownBy(() -> registry.archive("cd".repeat(32))).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> registry.archive("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    private static RegistryProblem problem(RegistryContents contents, String function) {
        return contents.problems().stream().filter(p -> p.function().equals(function)).findFirst().orElseThrow();
    }
}
