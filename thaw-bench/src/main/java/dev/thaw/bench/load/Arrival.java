package dev.thaw.bench.load;

/** One invocation to send, {@code atSeconds} after the start of a run. */
public record Arrival(double atSeconds, String function) {
    public Arrival {
        if (!Double.isFinite(atSeconds) || atSeconds < 0) {
            throw new IllegalArgumentException("arrival time must be a finite number >= 0, got " + atSeconds);
        }
        if (function == null || function.isBlank()) {
            throw new IllegalArgumentException("arrival needs a function name");
        }
    }
}
