package dev.thaw.snapshot.store;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where an S3-compatible store is and how to sign requests to it.
 *
 * @param endpoint {@code http://} or {@code https://} URI of the S3 service, e.g. {@code http://127.0.0.1:9000}
 * @param region the signing region; any non-blank value for stores that ignore it
 * @param bucket an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-'
 * @param pathStyle address the bucket as {@code endpoint/bucket} instead of {@code bucket.endpoint}
 */
public record S3Config(URI endpoint, String region, String bucket, String accessKey, String secretKey, boolean pathStyle) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /** @throws IllegalArgumentException naming the field that is missing or malformed */
    public S3Config {
        Objects.requireNonNull(endpoint, "S3 endpoint must not be null");
        String scheme = endpoint.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("S3 endpoint must be an http:// or https:// URI with a host, got '"
                    + endpoint + "'");
        }
        requireNonBlank(region, "S3 region");
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("invalid S3 bucket name " + (bucket == null ? "null" : "'" + bucket + "'")
                    + ": use 3-63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit");
        }
        requireNonBlank(accessKey, "S3 access key");
        requireNonBlank(secretKey, "S3 secret key");
    }

    /** {@code s3://bucket (endpoint)}, for messages. */
    public String describe() {
        return "s3://" + bucket + " (" + endpoint + ")";
    }

    // The secret never goes into logs or exception messages.
    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + accessKey + ", secretKey=****, pathStyle=" + pathStyle + "]";
    }

    private static void requireNonBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }
}
