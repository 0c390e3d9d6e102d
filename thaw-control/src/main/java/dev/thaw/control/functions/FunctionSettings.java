package dev.thaw.control.functions;

/**
 * How the gateway runs one function.
 *
 * @param concurrency requests one instance serves at a time
 * @param maxInstances instances of the current revision at most, across the cluster
 * @param keepAliveMs an instance idle this long is stopped (scale to zero)
 * @param queueSize requests that may wait for an instance when all are busy and no new one may start
 * @param queueTimeoutMs how long a request waits in that queue before 503 {@code queue_timeout}
 */
public record FunctionSettings(int concurrency, int maxInstances, long keepAliveMs, int queueSize,
        long queueTimeoutMs) {

    public static final long MAX_KEEP_ALIVE_MS = 86_400_000;
    public static final long MAX_QUEUE_TIMEOUT_MS = 900_000;
    public static final FunctionSettings DEFAULTS = new FunctionSettings(1, 10, 60_000, 100, 30_000);

    public FunctionSettings {
        require(concurrency >= 1 && concurrency <= 1000, "concurrency must be 1..1000, got " + concurrency);
        require(maxInstances >= 1 && maxInstances <= 10_000, "maxInstances must be 1..10000, got " + maxInstances);
        require(keepAliveMs >= 0 && keepAliveMs <= MAX_KEEP_ALIVE_MS, "keepAliveMs must be 0.." + MAX_KEEP_ALIVE_MS
                + " (a day), got " + keepAliveMs);
        require(queueSize >= 0 && queueSize <= 1_000_000, "queueSize must be 0..1000000, got " + queueSize);
        require(queueTimeoutMs >= 0 && queueTimeoutMs <= MAX_QUEUE_TIMEOUT_MS, "queueTimeoutMs must be 0.."
                + MAX_QUEUE_TIMEOUT_MS + " (15 minutes), got " + queueTimeoutMs);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Settings as a deploy request gives them: each field optional (null keeps the default).
     */
    public record Request(Integer concurrency, Integer maxInstances, Long keepAliveMs, Integer queueSize,
            Long queueTimeoutMs) {

        public static final Request NONE = new Request(null, null, null, null, null);

        public FunctionSettings resolve() {
            FunctionSettings d = DEFAULTS;
            return new FunctionSettings(concurrency == null ? d.concurrency() : concurrency,
                    maxInstances == null ? d.maxInstances() : maxInstances,
                    keepAliveMs == null ? d.keepAliveMs() : keepAliveMs,
                    queueSize == null ? d.queueSize() : queueSize,
                    queueTimeoutMs == null ? d.queueTimeoutMs() : queueTimeoutMs);
        }

        public static Request of(FunctionSettings s) {
            return new Request(s.concurrency(), s.maxInstances(), s.keepAliveMs(), s.queueSize(), s.queueTimeoutMs());
        }
    }
}
