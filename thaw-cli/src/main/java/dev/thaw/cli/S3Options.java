package dev.thaw.cli;

import java.io.IOException;
import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3Config;
import dev.thaw.snapshot.store.S3ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where snapshots and images are stored: Thaw's embedded S3 server on loopback
 * (the default), or an S3-compatible service the user runs (MinIO, Ceph RGW,
 * AWS). Credentials come from the environment so they never show in a process
 * list.
 */
final class S3Options {
    static final String ACCESS_KEY_ENV = "THAW_S3_ACCESS_KEY";
    static final String SECRET_KEY_ENV = "THAW_S3_SECRET_KEY";

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "S3-compatible endpoint, e.g. http://minio:9000 (credentials from $" + ACCESS_KEY_ENV
                    + " and $" + SECRET_KEY_ENV + "); default: Thaw's embedded S3 server on loopback ('thaw gateway': no "
                    + "store)")
    URI endpoint;

    @Option(names = "--s3-bucket", defaultValue = "thaw", paramLabel = "NAME",
            description = "bucket, created if missing (default: ${DEFAULT-VALUE})")
    String bucket;

    @Option(names = "--s3-region", defaultValue = "us-east-1", paramLabel = "REGION",
            description = "region (default: ${DEFAULT-VALUE})")
    String region;

    @Option(names = "--s3-virtual-hosted", description = "address buckets as host names instead of paths "
            + "(AWS style; path style is the default, as MinIO and Ceph expect)")
    boolean virtualHosted;

    /** An open store client, and the embedded server behind it when there is one. */
    record Opened(S3ObjectStore objects, EmbeddedS3Server server) implements AutoCloseable {
        String describe() {
            return objects.describe() + (server != null ? " (embedded)" : "");
        }

        @Override
        public void close() {
            objects.close();
            if (server != null) {
                server.close();
            }
        }
    }

    /** The store the user named with --s3-endpoint, or null when Thaw should run its own. */
    S3Config external() {
        if (endpoint == null) {
            return null;
        }
        String access = System.getenv(ACCESS_KEY_ENV);
        String secret = System.getenv(SECRET_KEY_ENV);
        if (access == null || access.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("--s3-endpoint needs credentials in $" + ACCESS_KEY_ENV + " and $"
                    + SECRET_KEY_ENV);
        }
        return new S3Config(endpoint, region, bucket, access, secret, !virtualHosted);
    }

    /** Connects, starting the embedded server with its data under {@code scratch} when no endpoint was given. */
    Opened open(Path scratch) throws StoreException, IOException {
        EmbeddedS3Server server = null;
        S3Config config;
        if (endpoint == null) {
            server = EmbeddedS3Server.start(scratch.resolve("s3"), 0, null, null);
            config = new S3Config(server.endpoint(), EmbeddedS3Server.REGION, bucket, server.accessKey(),
                    server.secretKey(), true);
        } else {
            config = external();
        }
        S3ObjectStore objects = new S3ObjectStore(config);
        try {
            objects.createBucketIfMissing();
        } catch (StoreException | RuntimeException e) {
            objects.close();
            if (server != null) {
                server.close();
            }
            throw e;
        }
        return new Opened(objects, server);
    }
}
