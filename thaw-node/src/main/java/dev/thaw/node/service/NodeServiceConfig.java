package dev.thaw.node.service;

import dev.thaw.api.FunctionName;
import dev.thaw.node.NodeConfig;
import dev.thaw.node.SnapshotMode;
import dev.thaw.snapshot.store.S3Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node agent process runs: where its API listens, how it finds the
 * gateway, what it may run, and how it keeps snapshots.
 *
 * @param name the node's name, unique in the cluster
 * @param host the address to listen on; {@code 0.0.0.0} for every interface
 * @param port the port to listen on; 0 picks a free one
 * @param publicUrl where the gateway reaches this node; derived from the bound address when empty
 * @param token the bearer token every API call (and every call to the gateway) carries
 * @param gateways the gateways to register and heartbeat with, each on its own; none runs the node standalone
 * @param heartbeatInterval how often the node reports its status to the gateway
 * @param memoryMib guest memory this node may give to instances, in MiB
 * @param slots how many instances may run at once
 * @param bodyLimitBytes the largest request body accepted
 * @param mode what the node does with snapshots
 * @param workDir the node's cache and scratch space
 * @param cacheBudgetBytes the budget the snapshot and image cache and the chunk cache share
 * @param prestart VMMs kept started per cached snapshot (the clone tier)
 * @param cacheEviction the node cache's eviction policy: lru (default), lfu or gdsf
 * @param s3 the remote store; required in remote mode
 * @param thawHome where the guest kernel is built and kept
 */
public record NodeServiceConfig(String name, String host, int port, Optional<URI> publicUrl, String token,
        List<URI> gateways, Duration heartbeatInterval, long memoryMib, int slots, long bodyLimitBytes,
        SnapshotMode mode, Path workDir, long cacheBudgetBytes, int prestart, Optional<S3Config> s3, Path thawHome,
        String cacheEviction) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    public static final long DEFAULT_MEMORY_MIB = 4096;
    public static final int DEFAULT_SLOTS = 8;
    public static final long DEFAULT_BODY_LIMIT = 6L << 20;
    public static final long DEFAULT_CACHE_BUDGET = 4L << 30;

    public NodeServiceConfig {
        if (!FunctionName.isValid(name)) {
            throw new IllegalArgumentException("node name must be a lower-case name like 'node-1', got '" + name + "'");
        }
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        Objects.requireNonNull(publicUrl, "publicUrl");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a node token is needed: every call to the node and the gateway "
                    + "carries it ($THAW_NODE_TOKEN or --token-file)");
        }
        gateways = List.copyOf(gateways);
        if (gateways.size() != gateways.stream().distinct().count()) {
            throw new IllegalArgumentException("a gateway is named twice in " + gateways + "; name each once");
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive, got " + heartbeatInterval);
        }
        if (memoryMib <= 0) {
            throw new IllegalArgumentException("memory for instances must be positive, got " + memoryMib + " MiB");
        }
        if (slots <= 0) {
            throw new IllegalArgumentException("instance slots must be positive, got " + slots);
        }
        if (bodyLimitBytes <= 0) {
            throw new IllegalArgumentException("request body limit must be positive, got " + bodyLimitBytes);
        }
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(s3, "s3");
        Objects.requireNonNull(thawHome, "thawHome");
        if (mode == SnapshotMode.REMOTE && s3.isEmpty()) {
            throw new IllegalArgumentException("snapshot mode 'remote' needs an S3 store (--s3-endpoint)");
        }
        // The same checks NodeRuntime makes, made here so bad settings fail before anything starts.
        nodeConfig(name, mode, workDir, cacheBudgetBytes, prestart, cacheEviction);
    }

    /**
     * A standalone node on loopback, on a free port, with the defaults: local
     * snapshots, 4 GiB of guest memory, 8 slots, a 4 GiB cache.
     */
    public static NodeServiceConfig defaults(String name, String token, Path workDir, Path thawHome) {
        return new NodeServiceConfig(name, "127.0.0.1", 0, Optional.empty(), token, List.of(),
                DEFAULT_HEARTBEAT, DEFAULT_MEMORY_MIB, DEFAULT_SLOTS, DEFAULT_BODY_LIMIT, SnapshotMode.LOCAL, workDir,
                DEFAULT_CACHE_BUDGET, 0, Optional.empty(), thawHome, "lru");
    }

    public NodeServiceConfig withGateway(URI url, Duration interval) {
        return new NodeServiceConfig(name, host, port, publicUrl, token, List.of(url), interval, memoryMib, slots,
                bodyLimitBytes, mode, workDir, cacheBudgetBytes, prestart, s3, thawHome,
                cacheEviction);
    }

    /** Registers and heartbeats with each of {@code urls}. */
    public NodeServiceConfig withGateways(List<URI> urls, Duration interval) {
        return new NodeServiceConfig(name, host, port, publicUrl, token, urls, interval, memoryMib, slots,
                bodyLimitBytes, mode, workDir, cacheBudgetBytes, prestart, s3, thawHome,
                cacheEviction);
    }

    public NodeServiceConfig withCapacity(long memoryMib, int slots) {
        return new NodeServiceConfig(name, host, port, publicUrl, token, gateways, heartbeatInterval, memoryMib,
                slots, bodyLimitBytes, mode, workDir, cacheBudgetBytes, prestart, s3, thawHome,
                cacheEviction);
    }

    public NodeServiceConfig withBodyLimit(long bytes) {
        return new NodeServiceConfig(name, host, port, publicUrl, token, gateways, heartbeatInterval, memoryMib,
                slots, bytes, mode, workDir, cacheBudgetBytes, prestart, s3, thawHome,
                cacheEviction);
    }

    public NodeServiceConfig withMode(SnapshotMode mode) {
        return new NodeServiceConfig(name, host, port, publicUrl, token, gateways, heartbeatInterval, memoryMib,
                slots, bodyLimitBytes, mode, workDir, cacheBudgetBytes, prestart, s3, thawHome,
                cacheEviction);
    }

    /** What the node's runtime needs of this. */
    public NodeConfig nodeConfig() {
        return nodeConfig(name, mode, workDir, cacheBudgetBytes, prestart, cacheEviction);
    }

    private static NodeConfig nodeConfig(String name, SnapshotMode mode, Path workDir, long cacheBudgetBytes,
            int prestart, String cacheEviction) {
        return new NodeConfig(name, mode, workDir, cacheBudgetBytes, prestart, cacheEviction);
    }

    // The token never goes into logs or messages.
    @Override
    public String toString() {
        return "NodeServiceConfig[name=" + name + ", host=" + host + ", port=" + port + ", publicUrl=" + publicUrl
                + ", gateways=" + gateways + ", heartbeatInterval=" + heartbeatInterval + ", memoryMib=" + memoryMib
                + ", slots=" + slots + ", bodyLimitBytes=" + bodyLimitBytes + ", mode=" + mode + ", workDir=" + workDir
                + ", cacheBudgetBytes=" + cacheBudgetBytes + ", prestart=" + prestart + ", s3=" + s3 + ", thawHome="
                + thawHome + "]";
    }
}
