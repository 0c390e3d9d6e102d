package dev.thaw.bench.report;

/**
 * One invocation as the report sees it; callers map their own records onto this so that the
 * report does not depend on how load is generated.
 *
 * @param configuration the evaluated configuration, e.g. {@code remote-cache}
 * @param function the function invoked
 * @param start how the sandbox started: {@code warm}, {@code clone}, {@code local}, {@code remote}
 *     or {@code boot}; {@code "-"} when the invocation failed before a start was known
 * @param failed whether the invocation failed
 * @param initMs initialization latency: request arrival until the function could run
 * @param fetchMs time spent fetching snapshot data, part of {@code initMs}
 * @param bytesFetched snapshot bytes fetched from remote storage for this invocation
 */
public record Sample(
        String configuration,
        String function,
        String start,
        boolean failed,
        double initMs,
        double fetchMs,
        long bytesFetched) {}
