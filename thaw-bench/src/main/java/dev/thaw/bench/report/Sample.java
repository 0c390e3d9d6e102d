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
 * @param failure whose fault the failure was: {@code function_error}, {@code rejected}, {@code platform_error}
 *     or {@code client_error}; {@code ""} when it did not fail, {@code platform_error} when a failed sample
 *     names none
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
        long bytesFetched,
        String failure) {

    public static final String PLATFORM_ERROR = "platform_error";
    public static final String FUNCTION_ERROR = "function_error";
    public static final String REJECTED = "rejected";
    public static final String CLIENT_ERROR = "client_error";

    public Sample {
        failure = !failed ? "" : failure == null || failure.isBlank() ? PLATFORM_ERROR : failure;
    }

    /** A sample whose failure, if any, is counted as the platform's. */
    public Sample(String configuration, String function, String start, boolean failed, double initMs,
            double fetchMs, long bytesFetched) {
        this(configuration, function, start, failed, initMs, fetchMs, bytesFetched, null);
    }
}
