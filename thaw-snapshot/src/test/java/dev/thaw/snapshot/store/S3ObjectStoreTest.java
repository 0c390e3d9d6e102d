package dev.thaw.snapshot.store;

import dev.thaw.local.s3.EmbeddedS3Server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.snapshot.testing.TestS3;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ObjectStoreTest {

    private static TestS3 s3;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = TestS3.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
    }

    @Test
    void putGetRangeSizeListDelete() throws Exception {
        S3ObjectStore store = s3.newStore();
        store.put("basic/a/one", "hello world".getBytes(StandardCharsets.UTF_8));
        store.put("basic/b", Files.writeString(tmp.resolve("f"), "from a file"));

        assertThat(new String(store.get("basic/a/one"), StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(new String(store.getRange("basic/a/one", 6, 5), StandardCharsets.UTF_8)).isEqualTo("world");
        assertThat(store.getRange("basic/a/one", 9, 100)).hasSize(2);
        assertThat(store.size("basic/b")).isEqualTo(OptionalLong.of(11));
        assertThat(store.size("basic/none")).isEmpty();
        assertThat(store.list("basic/")).containsExactly("basic/a/one", "basic/b");

        store.delete("basic/a/one");
        store.delete("basic/a/one");
        assertThat(store.list("basic/")).containsExactly("basic/b");
        assertThat(store.describe()).isEqualTo("s3://" + TestS3.BUCKET + " (" + s3.server().endpoint() + ")");
    }

    @Test
    void createWritesOnlyWhenTheKeyIsFree() throws Exception {
        S3ObjectStore store = s3.newStore();
        assertThat(store.create("create/one", "first".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(store.create("create/one", "second".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(new String(store.get("create/one"), StandardCharsets.UTF_8)).isEqualTo("first");
    }

    @Test
    void missingObjectIsNotFound() {
        S3ObjectStore store = s3.newStore();
        assertThatThrownBy(() -> store.get("no/such/key")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("no/such/key");
        assertThatThrownBy(() -> store.getRange("no/such/key", 0, 10)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void largeFilesGoUpInPartsAndComeBackByRange() throws Exception {
        byte[] data = new byte[(17 << 20) + 12345];
        new Random(7).nextBytes(data);
        Path file = Files.write(tmp.resolve("big"), data);
        S3ObjectStore store = s3.newStore();

        store.put("multipart/big", file);

        assertThat(store.size("multipart/big")).isEqualTo(OptionalLong.of(data.length));
        // A range across the first part boundary, and the tail.
        long from = S3ObjectStore.PART_SIZE - 1000;
        assertThat(store.getRange("multipart/big", from, 5000))
                .isEqualTo(Arrays.copyOfRange(data, (int) from, (int) from + 5000));
        assertThat(store.getRange("multipart/big", data.length - 100, 100))
                .isEqualTo(Arrays.copyOfRange(data, data.length - 100, data.length));
        assertThat(store.get("multipart/big")).isEqualTo(data);
        store.delete("multipart/big");
    }

    @Test
    void aWholeObjectReadPastTheCapIsRefusedAndRangesStillWork() throws Exception {
        Path file = tmp.resolve("huge");
        try (var out = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            out.write(java.nio.ByteBuffer.wrap(new byte[] {7}), ObjectStore.MAX_WHOLE_OBJECT_BYTES); // sparse
        }
        S3ObjectStore store = s3.newStore();
        store.put("huge/info.json", file);

        assertThatThrownBy(() -> store.get("huge/info.json")).isInstanceOf(StoreException.class)
                .hasMessageContaining("huge/info.json").hasMessageContaining("at most " + ObjectStore.MAX_WHOLE_OBJECT_BYTES);
        assertThat(store.getRange("huge/info.json", ObjectStore.MAX_WHOLE_OBJECT_BYTES, 1)).containsExactly(7);
        store.delete("huge/info.json");
    }

    @Test
    void wrongCredentialsAreReported() {
        S3Config good = s3.config();
        S3Config bad = new S3Config(good.endpoint(), good.region(), good.bucket(), good.accessKey(), "wrong-secret", true);
        try (S3ObjectStore store = new S3ObjectStore(bad)) {
            assertThatThrownBy(() -> store.put("denied", new byte[1]))
                    .isInstanceOf(StoreException.class)
                    .isNotInstanceOf(ObjectNotFoundException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("access key");
        }
    }

    @Test
    void unreachableServerFailsFastNamingTheEndpoint() throws Exception {
        S3Config config;
        try (EmbeddedS3Server server = EmbeddedS3Server.start(tmp.resolve("gone"), 0, "k", "s")) {
            config = TestS3.config(server, "gone");
        }
        try (S3ObjectStore store = new S3ObjectStore(config)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.get("x"))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot reach S3 endpoint " + config.endpoint());
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
    }

    @Test
    void createBucketIsIdempotent() throws Exception {
        S3Config other = new S3Config(s3.config().endpoint(), "us-east-1", "second-bucket",
                s3.config().accessKey(), s3.config().secretKey(), true);
        try (S3ObjectStore store = new S3ObjectStore(other)) {
            store.createBucketIfMissing();
            store.createBucketIfMissing();
            store.put("k", new byte[] {42});
            assertThat(store.get("k")).containsExactly(42);
        }
    }

    @Test
    void configValidatesAndHidesTheSecret() {
        S3Config config = new S3Config(URI.create("http://127.0.0.1:9000"), "us-east-1", "bucket", "AK", "top-secret", true);
        assertThat(config.toString()).doesNotContain("top-secret").contains("AK");
        assertThatThrownBy(() -> new S3Config(URI.create("ftp://x"), "r", "bucket", "a", "s", true))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> new S3Config(URI.create("http://x"), "r", "Bad_Bucket", "a", "s", true))
                .hasMessageContaining("invalid S3 bucket name 'Bad_Bucket'");
        assertThatThrownBy(() -> new S3Config(URI.create("http://x"), "r", "bucket", "a", " ", true))
                .hasMessageContaining("secret key");
    }
}
