package dev.thaw.control;

import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.S3Config;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a gateway runs.
 *
 * @param listen where the HTTP API listens (port 0: any free port)
 * @param apiToken the bearer token of the user API (deploy, invoke, list, ...)
 * @param joinToken the cluster's join token: a node presents it once to {@code POST /v1/join} and gets a node
 *     token of its own, bound to its name, for registering and heartbeats; the gateway calls each node with a
 *     token of that node's own (see {@link dev.thaw.node.identity.NodeTokens})
 * @param policy how cold starts are placed, for the whole cluster
 * @param bodyLimitBytes the largest request body accepted (invocations and uploads); larger gets 413
 * @param livenessTimeout a node silent this long is declared dead
 * @param s3 the snapshot and image store, or null to run without one
 * @param home where function images are built
 * @param registryDir where the function registry is kept when there is no store, or null to keep it in memory
 *     only (a restart forgets it); with a store the registry is in the store
 * @param identityKey the gateway's secret for the keyed hashes of node tokens it keeps next to the registry; a
 *     gateway restarted with another key no longer knows its nodes (they must be removed and join again)
 */
public record GatewayConfig(InetSocketAddress listen, String apiToken, String joinToken, SchedulerPolicy policy,
        long bodyLimitBytes, Duration livenessTimeout, S3Config s3, ThawHome home, Path registryDir,
        String identityKey) {

    public static final long DEFAULT_BODY_LIMIT = 6L << 20;
    public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(3);

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(livenessTimeout, "livenessTimeout");
        Objects.requireNonNull(home, "home");
        if (apiToken == null || apiToken.isBlank() || joinToken == null || joinToken.isBlank()) {
            throw new IllegalArgumentException("the API token and the join token must both be set");
        }
        if (apiToken.equals(joinToken)) {
            throw new IllegalArgumentException("the API token and the join token must differ, so a node cannot"
                    + " deploy or invoke and a user cannot pose as a node");
        }
        if (identityKey == null || identityKey.length() < 16) {
            throw new IllegalArgumentException("the identity key must be at least 16 characters");
        }
        if (bodyLimitBytes <= 0) {
            throw new IllegalArgumentException("bodyLimitBytes must be positive, got " + bodyLimitBytes);
        }
        if (livenessTimeout.isNegative() || livenessTimeout.isZero()) {
            throw new IllegalArgumentException("livenessTimeout must be positive, got " + livenessTimeout);
        }
    }

    /**
     * Defaults: snapshot-aware placement, 6 MiB bodies, 3 s liveness, no store, the Thaw home of the
     * environment, and a fresh identity key (give {@link #withIdentityKey} one that lasts when the
     * registry does).
     */
    public static GatewayConfig of(InetSocketAddress listen, String apiToken, String joinToken) {
        return new GatewayConfig(listen, apiToken, joinToken, SchedulerPolicy.SNAPSHOT_AWARE, DEFAULT_BODY_LIMIT,
                DEFAULT_LIVENESS_TIMEOUT, null, ThawHome.fromEnvironment(), null, newIdentityKey());
    }

    /** 256 random bits, as hex. */
    public static String newIdentityKey() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    public GatewayConfig withIdentityKey(String value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, value);
    }

    public GatewayConfig withListen(InetSocketAddress value) {
        return new GatewayConfig(value, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, identityKey);
    }

    public GatewayConfig withPolicy(SchedulerPolicy value) {
        return new GatewayConfig(listen, apiToken, joinToken, value, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, identityKey);
    }

    public GatewayConfig withBodyLimit(long value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, value, livenessTimeout, s3, home, registryDir,
                identityKey);
    }

    public GatewayConfig withLivenessTimeout(Duration value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, value, s3, home, registryDir,
                identityKey);
    }

    public GatewayConfig withS3(S3Config value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, value, home,
                registryDir, identityKey);
    }

    public GatewayConfig withRegistryDir(Path value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home, value,
                identityKey);
    }

    public GatewayConfig withHome(ThawHome value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, value,
                registryDir, identityKey);
    }

    // Tokens never go into logs.
    @Override
    public String toString() {
        return "GatewayConfig[listen=" + listen + ", policy=" + policy.label() + ", bodyLimitBytes=" + bodyLimitBytes
                + ", livenessTimeout=" + livenessTimeout + ", s3=" + s3 + ", home=" + home.root() + ", registryDir="
                + registryDir + "]";
    }
}
