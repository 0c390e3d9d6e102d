package dev.thaw.local.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * Thaw's own S3 server: s3proxy over a directory, on loopback. It lets a single
 * host, a demo or a test use the same S3 code path as a real cluster, with no
 * external service. Buckets are directories under the data directory.
 */
public final class EmbeddedS3Server implements AutoCloseable {

    /** The region clients should sign for; s3proxy accepts any. */
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;

    private EmbeddedS3Server(S3Proxy proxy, BlobStoreContext context, URI endpoint, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /**
     * Starts a server storing under {@code dataDir} (created if missing) on
     * {@code 127.0.0.1:port}.
     *
     * @param port the TCP port; 0 picks a free one
     * @param accessKey the access key clients must use, or null for a random one
     * @param secretKey the secret key clients must use, or null for a random one
     * @throws IOException if the directory cannot be created or the port cannot be bound
     */
    public static EmbeddedS3Server start(Path dataDir, int port, String accessKey, String secretKey) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        String access = accessKey != null ? accessKey : "thaw-" + randomHex(8);
        String secret = secretKey != null ? secretKey : randomHex(20);
        if (access.isBlank() || secret.isBlank()) {
            throw new IllegalArgumentException("S3 access key and secret key must not be blank");
        }
        Path dir = dataDir.toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the S3 data directory " + dir + ": " + e, e);
        }
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .overrides(properties)
                .buildView(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, access, secret)
                // SDK clients send headers (checksum modes, SDK metadata) s3proxy does not model.
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start();
            waitStarted(proxy);
        } catch (Exception e) {
            stopQuietly(proxy, e);
            context.close();
            throw new IOException("cannot start the embedded S3 server on 127.0.0.1:" + port
                    + (port == 0 ? "" : " (is the port in use? pick another, or 0 for any free port)") + ": " + e, e);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        return new EmbeddedS3Server(proxy, context, endpoint, access, secret);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.getPort();
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the embedded S3 server at " + endpoint + ": " + e, e);
        } finally {
            context.close();
        }
    }

    // start() returns before Jetty accepts connections; callers expect a ready server.
    private static void waitStarted(S3Proxy proxy) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                throw new IOException("server state " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    private static void stopQuietly(S3Proxy proxy, Exception cause) {
        try {
            proxy.stop();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    @Override
    public String toString() {
        return "EmbeddedS3Server[" + endpoint + "]";
    }
}
