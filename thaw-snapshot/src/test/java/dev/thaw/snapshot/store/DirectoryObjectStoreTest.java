package dev.thaw.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryObjectStoreTest {

    @TempDir
    Path root;

    @TempDir
    Path sources;

    @Test
    void putGetRangeListDelete() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        store.put("a/b/one", "hello world".getBytes(StandardCharsets.UTF_8));
        Path file = Files.writeString(sources.resolve("src-file"), "second");
        store.put("a/two", file);
        store.put("b/three", new byte[3]);

        assertThat(new String(store.get("a/b/one"), StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(new String(store.getRange("a/b/one", 6, 5), StandardCharsets.UTF_8)).isEqualTo("world");
        assertThat(store.getRange("a/b/one", 9, 100)).hasSize(2);
        assertThat(store.getRange("a/b/one", 50, 10)).isEmpty();
        assertThat(store.size("a/two")).isEqualTo(OptionalLong.of(6));
        assertThat(store.size("a/none")).isEmpty();
        assertThat(store.list("")).containsExactly("a/b/one", "a/two", "b/three");
        assertThat(store.list("a/")).containsExactly("a/b/one", "a/two");
        assertThat(store.list("a/t")).containsExactly("a/two");
        assertThat(store.list("zzz/")).isEmpty();

        store.delete("a/b/one");
        store.delete("a/b/one"); // missing is fine
        assertThat(store.list("a/")).containsExactly("a/two");
        assertThat(root.resolve("a/b")).doesNotExist();
    }

    @Test
    void putReplacesAtomicallyAndLeavesNoTemporaryFiles() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        store.put("k", new byte[] {1});
        store.put("k", new byte[] {2, 3});
        assertThat(store.get("k")).containsExactly(2, 3);
        try (var files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("k");
        }
    }

    @Test
    void createWritesOnlyWhenTheKeyIsFreeAndLeavesNoTemporaryFiles() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        assertThat(store.create("c/one", "first".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(store.create("c/one", "second".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(new String(store.get("c/one"), StandardCharsets.UTF_8)).isEqualTo("first");
        try (var files = java.nio.file.Files.list(root.resolve("c"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("one");
        }
    }

    @Test
    void aWholeObjectReadPastTheCapIsRefused() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        store.put("small", new byte[] {1});
        Path huge = root.resolve("small").resolveSibling("huge");
        try (var out = java.nio.channels.FileChannel.open(huge, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(new byte[] {7}), ObjectStore.MAX_WHOLE_OBJECT_BYTES); // sparse
        }
        assertThatThrownBy(() -> store.get("huge")).isInstanceOf(StoreException.class).hasMessageContaining("'huge'");
        assertThat(store.get("small")).containsExactly(1);
    }

    @Test
    void missingObjectIsNotFound() {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        assertThatThrownBy(() -> store.get("nope/x")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("nope/x");
        assertThatThrownBy(() -> store.getRange("nope/x", 0, 1)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void keysCannotEscapeTheRoot() {
        DirectoryObjectStore store = new DirectoryObjectStore(root.resolve("store"));
        assertThatThrownBy(() -> store.put("../outside", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.put("/etc/x", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThat(root.resolve("outside")).doesNotExist();
    }

    @Test
    void listingsRacingPutsAndDeletesNeitherFailNorLoseSettledKeys() throws Exception {
        DirectoryObjectStore store = new DirectoryObjectStore(root);
        store.put("r/settled", new byte[] {1});
        java.util.concurrent.atomic.AtomicBoolean listing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                while (listing.get()) {
                    int n = writes.incrementAndGet();
                    store.put("r/churn/" + (n % 4) + "/object", new byte[] {(byte) n});
                    store.create("r/churn/" + (n % 4) + "/created", new byte[] {(byte) n});
                    store.delete("r/churn/" + (n % 4) + "/object");
                    store.delete("r/churn/" + (n % 4) + "/created");
                }
            } catch (StoreException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            for (int i = 0; i < 2_000 || writes.get() < 200; i++) {
                assertThat(store.list("r/")).contains("r/settled")
                        .allSatisfy(key -> assertThat(key).doesNotContain(".thaw-put-"));
            }
        } finally {
            listing.set(false);
            writer.join();
        }
        assertThat(store.list("r/")).containsExactly("r/settled");
    }
}
