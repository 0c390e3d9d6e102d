package dev.thaw.wire.v1.gateway;

/**
 * Settings as a deploy request gives them: each optional (null keeps the gateway's default).
 * Field meanings are those of {@link RunSettings}.
 */
public record DeploySettings(Integer concurrency, Integer maxInstances, Long keepAliveMs, Integer queueSize,
        Long queueTimeoutMs) {

    /** Every setting left to its default. */
    public static final DeploySettings NONE = new DeploySettings(null, null, null, null, null);
}
