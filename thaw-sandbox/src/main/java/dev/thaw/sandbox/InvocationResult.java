package dev.thaw.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What one invocation returned.
 *
 * @param outcome whether the handler returned, raised, or ran out of time
 * @param body the handler's response body; for an error, the guest's traceback
 * @param error a one-line description of the error, empty on success
 * @param guestMs time the handler ran inside the guest
 * @param totalMs time from sending the request to the last byte of the answer, on the host
 */
public record InvocationResult(Outcome outcome, byte[] body, String error, double guestMs, double totalMs) {

    public enum Outcome { OK, HANDLER_ERROR, TIMEOUT }

    public InvocationResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(error, "error");
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
