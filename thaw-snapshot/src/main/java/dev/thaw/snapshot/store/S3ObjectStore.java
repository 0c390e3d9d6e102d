package dev.thaw.snapshot.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} in one bucket of an S3-compatible service (AWS S3, MinIO,
 * s3proxy, ...). Thread-safe: many ranged GETs may run at once.
 */
public final class S3ObjectStore implements ObjectStore {

    /** Files above this size go up as a multipart upload. */
    public static final long MULTIPART_THRESHOLD = 16L << 20;
    /** The part size of a multipart upload (S3's minimum is 5 MiB). */
    public static final int PART_SIZE = 8 << 20;

    private final S3Config config;
    private final S3Client s3;

    public S3ObjectStore(S3Config config) {
        this.config = config;
        this.s3 = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKey(), config.secretKey())))
                .httpClientBuilder(Apache5HttpClient.builder()
                        // Room for the parallel ranged GETs of a fetch plus a publish.
                        .maxConnections(32)
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(30)))
                // Only the checksums S3 demands: S3-compatible servers may not know the SDK's
                // default CRC trailers. Bundle chunks carry their own SHA-256 anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // One retry: a store that is down should be reported in seconds, not minutes.
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(2)))
                .build();
    }

    public S3Config config() {
        return config;
    }

    @Override
    public String describe() {
        return config.describe();
    }

    /** Creates the bucket unless it exists already. */
    public void createBucketIfMissing() throws StoreException {
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
            return;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("check bucket", null, e);
            }
        } catch (SdkException e) {
            throw failure("check bucket", null, e);
        }
        try {
            s3.createBucket(b -> b.bucket(config.bucket()));
        } catch (S3Exception e) {
            // Someone else (another node) created it in between: fine.
            if (!"BucketAlreadyOwnedByYou".equals(errorCode(e)) && !"BucketAlreadyExists".equals(errorCode(e))) {
                throw failure("create bucket", null, e);
            }
        } catch (SdkException e) {
            throw failure("create bucket", null, e);
        }
    }

    @Override
    public void put(String key, Path file) throws StoreException {
        StoreKeys.requireKey(key);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new StoreException("cannot upload " + file + " as '" + key + "': " + e, e);
        }
        if (size > MULTIPART_THRESHOLD) {
            putMultipart(key, file, size);
            return;
        }
        try {
            s3.putObject(b -> b.bucket(config.bucket()).key(key).contentLength(size), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("upload", key, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes) throws StoreException {
        StoreKeys.requireKey(key);
        try {
            s3.putObject(b -> b.bucket(config.bucket()).key(key).contentLength((long) bytes.length),
                    RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("upload", key, e);
        }
    }

    /**
     * {@code If-None-Match: *}, which AWS S3, MinIO and Ceph RGW enforce atomically. A server that
     * ignores the header (s3proxy 2.7, the embedded server) is caught by the check before and
     * the read-back after, which leaves only truly simultaneous writers undetected there: enough
     * for one gateway, which serializes the writes of each function itself.
     */
    @Override
    public boolean create(String key, byte[] bytes) throws StoreException {
        StoreKeys.requireKey(key);
        if (size(key).isPresent()) {
            return false;
        }
        try {
            s3.putObject(b -> b.bucket(config.bucket()).key(key).contentLength((long) bytes.length).ifNoneMatch("*"),
                    RequestBody.fromBytes(bytes));
        } catch (S3Exception e) {
            // 412: the key exists; 409: a concurrent conditional write to it won.
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw failure("create", key, e);
        } catch (SdkException e) {
            throw failure("create", key, e);
        }
        return Arrays.equals(get(key), bytes);
    }

    private void putMultipart(String key, Path file, long size) throws StoreException {
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(config.bucket()).key(key)).uploadId();
        } catch (SdkException e) {
            throw failure("start multipart upload of", key, e);
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            List<CompletedPart> parts = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(PART_SIZE);
            for (long offset = 0; offset < size; offset += PART_SIZE) {
                buffer.clear().limit((int) Math.min(PART_SIZE, size - offset));
                while (buffer.hasRemaining()) {
                    if (in.read(buffer, offset + buffer.position()) < 0) {
                        throw new IOException(file + " shrank while it was uploaded");
                    }
                }
                int partNumber = parts.size() + 1;
                String etag = s3.uploadPart(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) buffer.limit()),
                        RequestBody.fromBytes(Arrays.copyOf(buffer.array(), buffer.limit()))).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (IOException | SdkException e) {
            abort(key, uploadId, e);
            if (e instanceof SdkException sdk) {
                throw failure("upload", key, sdk);
            }
            throw new StoreException("cannot upload " + file + " as '" + key + "': " + e, e);
        }
    }

    // Parts of an unfinished upload cost storage until aborted.
    private void abort(String key, String uploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public byte[] get(String key) throws StoreException {
        StoreKeys.requireKey(key);
        try {
            return s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)).asByteArrayUnsafe();
        } catch (SdkException e) {
            throw failure("download", key, e);
        }
    }

    /** One ranged GET; fewer than {@code length} bytes come back when the object ends first. */
    @Override
    public byte[] getRange(String key, long offset, int length) throws StoreException {
        StoreKeys.requireKey(key);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("range must be non-negative, got offset " + offset + ", length " + length);
        }
        if (length == 0) {
            return new byte[0];
        }
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)
                    .range("bytes=" + offset + "-" + (offset + length - 1)));
            return bytes.asByteArrayUnsafe();
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return new byte[0]; // the range starts past the end
            }
            throw failure("download", key, e);
        } catch (SdkException e) {
            throw failure("download", key, e);
        }
    }

    @Override
    public OptionalLong size(String key) throws StoreException {
        StoreKeys.requireKey(key);
        try {
            return OptionalLong.of(s3.headObject(b -> b.bucket(config.bucket()).key(key)).contentLength());
        } catch (SdkException e) {
            StoreException failure = failure("stat", key, e);
            if (failure instanceof ObjectNotFoundException) {
                return OptionalLong.empty();
            }
            throw failure;
        }
    }

    @Override
    public List<String> list(String prefix) throws StoreException {
        StoreKeys.requirePrefix(prefix);
        try {
            List<String> keys = new ArrayList<>();
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(prefix)).contents()) {
                // Directory markers (some servers, e.g. s3proxy over a file system, list them) are not objects.
                if (!object.key().endsWith("/")) {
                    keys.add(object.key());
                }
            }
            keys.sort(null);
            return keys;
        } catch (SdkException e) {
            throw failure("list", prefix, e);
        }
    }

    @Override
    public void delete(String key) throws StoreException {
        StoreKeys.requireKey(key);
        try {
            s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
        } catch (SdkException e) {
            StoreException failure = failure("delete", key, e);
            if (!(failure instanceof ObjectNotFoundException)) {
                throw failure;
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** Turns an SDK failure into a message that says where, what, and what to check. */
    private StoreException failure(String action, String key, SdkException e) {
        String what = key == null ? "" : " '" + key + "'";
        if (e instanceof S3Exception s3e) {
            int status = s3e.statusCode();
            String code = errorCode(s3e);
            if (key != null && (status == 404 && !"NoSuchBucket".equals(code) || "NoSuchKey".equals(code))) {
                return new ObjectNotFoundException(key);
            }
            String hint = switch (status) {
                case 403 -> " (access denied: check the S3 access key and secret key)";
                case 404 -> " (no such bucket: create it, or check the bucket name)";
                default -> "";
            };
            return new StoreException("S3 " + describe() + " refused to " + action + what + ": HTTP " + status
                    + (code == null ? "" : " " + code) + hint, e);
        }
        if (e instanceof SdkClientException) {
            String where = key == null ? " " + config.bucket() : what + " in bucket " + config.bucket();
            return new StoreException("cannot reach S3 endpoint " + config.endpoint() + " to " + action + where
                    + ": " + e.getMessage()
                    + " (is the server running and the endpoint right?)", e);
        }
        return new StoreException("S3 " + describe() + ": cannot " + action + what + ": " + e.getMessage(), e);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + config + "]";
    }
}
