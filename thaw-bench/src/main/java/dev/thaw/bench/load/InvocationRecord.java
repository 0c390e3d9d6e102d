package dev.thaw.bench.load;

/**
 * One invocation's outcome. Times are in milliseconds; {@code sentAtMs} counts from the run's start. The phase
 * times come from the gateway's X-Thaw-* headers and are NaN where it did not send them. {@code status} is 0 when
 * no HTTP answer came; {@code error} is empty on success. {@code lateMs} is how far after its arrival time the
 * request went out (the scheduler fell behind or {@code maxInFlight} was reached). {@code failure} says whose
 * fault a failure was; when null it is derived from the status and the error text.
 */
public record InvocationRecord(long sentAtMs, String function, int status, String start, String node,
        double initMs, double queueMs, double scheduleMs, double fetchMs, double vmMs, double guestMs, double e2eMs,
        String error, double lateMs, long fetchBytes, FailureClass failure) {

    private static final java.util.regex.Pattern ERROR_CODE =
            java.util.regex.Pattern.compile("\\{\\s*\"error\"\\s*:\\s*\"([A-Za-z0-9_]+)\"");

    public InvocationRecord {
        start = start == null || start.isBlank() ? "-" : start;
        node = node == null || node.isBlank() ? "-" : node;
        error = error == null ? "" : error;
        boolean ok = status >= 200 && status < 300 && error.isEmpty();
        if (failure == null || (failure == FailureClass.NONE) != ok) {
            failure = derive(status, error, ok);
        }
    }

    /** A record whose failure class is derived from its status and error text. */
    public InvocationRecord(long sentAtMs, String function, int status, String start, String node, double initMs,
            double queueMs, double scheduleMs, double fetchMs, double vmMs, double guestMs, double e2eMs,
            String error, double lateMs, long fetchBytes) {
        this(sentAtMs, function, status, start, node, initMs, queueMs, scheduleMs, fetchMs, vmMs, guestMs, e2eMs,
                error, lateMs, fetchBytes, null);
    }

    /** A record sent on time. */
    public InvocationRecord(long sentAtMs, String function, int status, String start, String node, double initMs,
            double queueMs, double scheduleMs, double fetchMs, double vmMs, double guestMs, double e2eMs,
            String error) {
        this(sentAtMs, function, status, start, node, initMs, queueMs, scheduleMs, fetchMs, vmMs, guestMs, e2eMs,
                error, 0, 0);
    }

    /** A 2xx answer with no error. */
    public boolean ok() {
        return status >= 200 && status < 300 && error.isEmpty();
    }

    /** Only Thaw's own failures count against the platform. */
    public boolean platformError() {
        return failure == FailureClass.PLATFORM_ERROR;
    }

    /**
     * For records read from files without a failure column: the error text is {@code HTTP <status>: <body>}
     * (Thaw's JSON error body) or {@code <Exception>: <message>} when no answer came.
     */
    private static FailureClass derive(int status, String error, boolean ok) {
        if (ok) {
            return FailureClass.NONE;
        }
        if (status == 0) {
            return error.startsWith("ConnectException") || error.startsWith("HttpConnectTimeoutException")
                    ? FailureClass.CLIENT_ERROR : FailureClass.PLATFORM_ERROR;
        }
        if (status >= 200 && status < 300) {
            return FailureClass.PLATFORM_ERROR;
        }
        // The body may have been cut short, so the code is found by pattern rather than parsed as JSON.
        java.util.regex.Matcher code = ERROR_CODE.matcher(error);
        return FailureClass.ofAnswer(status, code.find() ? code.group(1) : null);
    }

    /** Any start other than a warm instance. */
    public boolean cold() {
        return !start.equals("warm") && !start.equals("-");
    }
}
