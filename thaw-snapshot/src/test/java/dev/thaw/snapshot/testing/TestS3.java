package dev.thaw.snapshot.testing;

import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3Config;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3 server for tests: an {@link EmbeddedS3Server} in a temporary directory on a
 * free loopback port, with bucket {@value #BUCKET} created. Closing it closes the stores it
 * handed out, stops the server and deletes its data.
 *
 * <pre>{@code
 * @AutoClose static TestS3 s3 = TestS3.start();
 * try (S3ObjectStore store = s3.newStore()) { ... }
 * }</pre>
 */
public final class TestS3 implements AutoCloseable {

    public static final String BUCKET = "thaw-test";

    private final Path dataDir;
    private final EmbeddedS3Server server;
    private final List<S3ObjectStore> stores = new ArrayList<>();
    private boolean closed;

    private TestS3(Path dataDir, EmbeddedS3Server server) {
        this.dataDir = dataDir;
        this.server = server;
    }

    /** Starts a server and creates {@value #BUCKET}. */
    public static TestS3 start() throws IOException, StoreException {
        Path dataDir = Files.createTempDirectory("thaw-test-s3-");
        EmbeddedS3Server server;
        try {
            server = EmbeddedS3Server.start(dataDir, 0, null, null);
        } catch (IOException | RuntimeException e) {
            deleteTree(dataDir);
            throw e;
        }
        TestS3 s3 = new TestS3(dataDir, server);
        try (S3ObjectStore store = new S3ObjectStore(s3.config())) {
            store.createBucketIfMissing();
        } catch (StoreException | RuntimeException e) {
            s3.close();
            throw e;
        }
        return s3;
    }

    public EmbeddedS3Server server() {
        return server;
    }

    /** Where the server keeps its buckets; a bucket is a directory, an object a file. */
    public Path dataDir() {
        return dataDir;
    }

    public S3Config config() {
        return config(server, BUCKET);
    }

    /** A client configuration for {@code bucket} on {@code server}: its region, path-style. */
    public static S3Config config(EmbeddedS3Server server, String bucket) {
        return new S3Config(server.endpoint(), EmbeddedS3Server.REGION, bucket, server.accessKey(),
                server.secretKey(), true);
    }

    /** A client for {@value #BUCKET}, closed with this. */
    public synchronized S3ObjectStore newStore() {
        S3ObjectStore store = new S3ObjectStore(config());
        stores.add(store);
        return store;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        stores.forEach(S3ObjectStore::close);
        try {
            server.close();
        } finally {
            deleteTree(dataDir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
