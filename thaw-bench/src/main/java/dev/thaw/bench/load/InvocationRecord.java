package dev.thaw.bench.load;

/**
 * One invocation's outcome. Times are in milliseconds; {@code sentAtMs} counts from the run's start. The phase
 * times come from the gateway's X-Thaw-* headers and are NaN where it did not send them. {@code status} is 0 when
 * no HTTP answer came; {@code error} is empty on success. {@code lateMs} is how far after its arrival time the
 * request went out (the scheduler fell behind or {@code maxInFlight} was reached).
 */
public record InvocationRecord(long sentAtMs, String function, int status, String start, String node,
        double initMs, double queueMs, double scheduleMs, double fetchMs, double vmMs, double guestMs, double e2eMs,
        String error, double lateMs, long fetchBytes) {

    public InvocationRecord {
        start = start == null || start.isBlank() ? "-" : start;
        node = node == null || node.isBlank() ? "-" : node;
        error = error == null ? "" : error;
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

    /** Any start other than a warm instance. */
    public boolean cold() {
        return !start.equals("warm") && !start.equals("-");
    }
}
