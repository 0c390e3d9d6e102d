package dev.thaw.control.routing;

/**
 * What getting an instance cost one request, in milliseconds: init from the
 * gateway accepting it to an instance ready (0 when warm), and its parts.
 *
 * @param start {@code warm}, or the node's start tier ({@code clone|local|remote|boot})
 * @param fetchBytes image and snapshot bytes the node fetched from the store for this start
 */
public record StartTimings(String start, double initMs, double queueMs, double scheduleMs, double fetchMs,
        double vmMs, long fetchBytes) {

    public boolean cold() {
        return !"warm".equals(start);
    }
}
