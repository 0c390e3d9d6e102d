package dev.thaw.bench.report;

/**
 * What the evaluation reports for one configuration.
 *
 * <p>Latency figures are of {@link Sample#initMs()} over the successful cold starts only (clone,
 * local, remote, boot), as the thesis reports cold-start initialization latency; they are
 * {@code NaN} when there was no cold start.
 *
 * @param invocations all samples, failed ones included
 * @param failures samples that failed through the platform's fault ({@code platform_error}); failed samples
 *     of every class count in no start kind and no latency figure
 * @param functionErrors samples that failed because the handler raised or ran past its timeout
 * @param rejected samples turned away by a full queue or a queue timeout
 * @param clientErrors samples the caller got wrong or could not send
 * @param coldStarts successful starts that were not warm
 * @param cacheHitRate (clone + local) / (clone + local + remote): of the cold starts that found a
 *     snapshot somewhere, the share served without fetching from remote storage. Boots are left
 *     out because no snapshot existed anywhere, so no cache could have hit. {@code NaN} when no
 *     cold start found a snapshot (e.g. {@code no-snapshots}).
 * @param bytesFetched snapshot bytes fetched from remote storage over all samples, failed ones
 *     included since the transfer happened anyway
 * @param starts successful starts per kind
 */
public record ConfigurationSummary(
        String name,
        long invocations,
        long failures,
        long coldStarts,
        double meanMs,
        double p50Ms,
        double p90Ms,
        double p95Ms,
        double p99Ms,
        double cacheHitRate,
        long bytesFetched,
        StartCounts starts,
        long functionErrors,
        long rejected,
        long clientErrors) {

    /** A summary whose failures are all the platform's. */
    public ConfigurationSummary(String name, long invocations, long failures, long coldStarts, double meanMs,
            double p50Ms, double p90Ms, double p95Ms, double p99Ms, double cacheHitRate, long bytesFetched,
            StartCounts starts) {
        this(name, invocations, failures, coldStarts, meanMs, p50Ms, p90Ms, p95Ms, p99Ms, cacheHitRate, bytesFetched,
                starts, 0, 0, 0);
    }
}
