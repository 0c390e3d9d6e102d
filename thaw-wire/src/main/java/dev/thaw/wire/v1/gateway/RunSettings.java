package dev.thaw.wire.v1.gateway;

/**
 * How the gateway runs one function, as its API shows it.
 *
 * @param concurrency requests one instance serves at a time
 * @param maxInstances instances of the current revision at most, across the cluster
 * @param keepAliveMs an instance idle this long is stopped (scale to zero)
 * @param queueSize requests that may wait for an instance when all are busy and no new one may start
 * @param queueTimeoutMs how long a request waits in that queue before 503 {@code queue_timeout}
 */
public record RunSettings(int concurrency, int maxInstances, long keepAliveMs, int queueSize, long queueTimeoutMs) {
}
