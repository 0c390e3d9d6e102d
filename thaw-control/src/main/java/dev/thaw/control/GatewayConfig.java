package dev.thaw.control;

import dev.thaw.control.cluster.IdentityKeyFile;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.snapshot.store.S3Config;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How a gateway runs.
 *
 * @param listen where the HTTP API listens (port 0: any free port)
 * @param apiToken the bearer token of the user API (deploy, invoke, list, ...)
 * @param joinToken the cluster's join token: a node presents it once to {@code POST /v1/join} to bind a node
 *     token of its own to its name, for registering and heartbeats; the gateway calls each node with a token of
 *     that node's own (see {@link dev.thaw.node.identity.NodeTokens})
 * @param policy how cold starts are placed, for the whole cluster
 * @param bodyLimitBytes the largest request body accepted (invocations and uploads); larger gets 413
 * @param livenessTimeout a node silent this long gets no new starts; silent {@code Membership.DEATH_FACTOR}
 *     times as long, it is declared dead
 * @param s3 the snapshot and image store, or null to run without one
 * @param home where function images are built
 * @param registryDir where the function registry is kept when there is no store, or null to keep it in memory
 *     only (a restart forgets it); with a store the registry is in the store
 * @param allowHostPaths whether {@code POST /v1/functions {"path": ...}} may build a directory of the gateway's
 *     host; only for a gateway its user runs on their own machine ({@code thaw up}), never for a shared one
 * @param maxInFlight requests the gateway serves at once; beyond it, it answers 503 at once
 * @param identityKey the gateway's secret for the keyed hashes of node tokens it keeps next to the registry; a
 *     gateway restarted with another key no longer knows its nodes (they must be removed and join again)
 * @param keepAlive how long idle instances stay (fixed keepAliveMs by default)
 * @param prefetch whether nodes are asked to fetch snapshots before predicted invocations (none by default)
 * @param nanoClock monotonic nanoseconds for keep-alive, idle times and prefetch timing ({@link System#nanoTime})
 */
public record GatewayConfig(InetSocketAddress listen, String apiToken, String joinToken, SchedulerPolicy policy,
        long bodyLimitBytes, Duration livenessTimeout, S3Config s3, ThawHome home, Path registryDir,
        boolean allowHostPaths, int maxInFlight, String identityKey, KeepAlivePolicy keepAlive,
        SnapshotPrefetch prefetch, LongSupplier nanoClock) {

    public static final long DEFAULT_BODY_LIMIT = 6L << 20;
    public static final long MAX_BODY_LIMIT = 1L << 30;
    public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration MAX_LIVENESS_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
    public static final int MAX_IN_FLIGHT = 1_000_000;

    public GatewayConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(livenessTimeout, "livenessTimeout");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(prefetch, "prefetch");
        Objects.requireNonNull(nanoClock, "nanoClock");
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
        if (bodyLimitBytes <= 0 || bodyLimitBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("the body limit must be from 1 byte to " + (MAX_BODY_LIMIT >> 20)
                    + " MiB, got " + bodyLimitBytes + " bytes");
        }
        if (livenessTimeout.isNegative() || livenessTimeout.isZero()
                || livenessTimeout.compareTo(MAX_LIVENESS_TIMEOUT) > 0) {
            throw new IllegalArgumentException("the liveness timeout must be from 1 ms to "
                    + MAX_LIVENESS_TIMEOUT.toMillis() + " ms, got " + livenessTimeout.toMillis() + " ms");
        }
        if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT) {
            throw new IllegalArgumentException("the cap on requests in flight must be from 1 to " + MAX_IN_FLIGHT
                    + ", got " + maxInFlight);
        }
    }

    /**
     * Defaults: snapshot-aware placement, 6 MiB bodies, 3 s liveness, no store, the Thaw home of the environment,
     * no deploys by host path, 4096 requests in flight, and a fresh identity key (give {@link #withIdentityKey}
     * one that lasts when the registry does).
     */
    public static GatewayConfig of(InetSocketAddress listen, String apiToken, String joinToken) {
        return new GatewayConfig(listen, apiToken, joinToken, SchedulerPolicy.SNAPSHOT_AWARE, DEFAULT_BODY_LIMIT,
                DEFAULT_LIVENESS_TIMEOUT, null, ThawHome.fromEnvironment(), null, false, DEFAULT_MAX_IN_FLIGHT,
                IdentityKeyFile.newKey(), KeepAlivePolicy.FIXED, SnapshotPrefetch.NONE, System::nanoTime);
    }

    public GatewayConfig withIdentityKey(String value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, maxInFlight, value, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withListen(InetSocketAddress value) {
        return new GatewayConfig(value, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withPolicy(SchedulerPolicy value) {
        return new GatewayConfig(listen, apiToken, joinToken, value, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withBodyLimit(long value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, value, livenessTimeout, s3, home, registryDir,
                allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withLivenessTimeout(Duration value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, value, s3, home, registryDir,
                allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withS3(S3Config value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, value, home,
                registryDir, allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withRegistryDir(Path value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home, value,
                allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withHome(ThawHome value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, value,
                registryDir, allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withAllowHostPaths(boolean value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, value, maxInFlight, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withMaxInFlight(int value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, value, identityKey, keepAlive, prefetch, nanoClock);
    }

    public GatewayConfig withKeepAlive(KeepAlivePolicy value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, maxInFlight, identityKey, value, prefetch, nanoClock);
    }

    public GatewayConfig withPrefetch(SnapshotPrefetch value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, maxInFlight, identityKey, keepAlive, value, nanoClock);
    }

    public GatewayConfig withNanoClock(LongSupplier value) {
        return new GatewayConfig(listen, apiToken, joinToken, policy, bodyLimitBytes, livenessTimeout, s3, home,
                registryDir, allowHostPaths, maxInFlight, identityKey, keepAlive, prefetch, value);
    }

    // Tokens never go into logs.
    @Override
    public String toString() {
        return "GatewayConfig[listen=" + listen + ", policy=" + policy.label() + ", bodyLimitBytes=" + bodyLimitBytes
                + ", livenessTimeout=" + livenessTimeout + ", s3=" + s3 + ", home=" + home.root() + ", registryDir="
                + registryDir + ", allowHostPaths=" + allowHostPaths + ", maxInFlight=" + maxInFlight + "]";
    }
}
