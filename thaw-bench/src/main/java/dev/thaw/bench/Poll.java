package dev.thaw.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Waits for a condition by asking again at a short interval, up to a bound: a benchmark waits for
 * what it needs (a snapshot in the store, counters that stopped moving), never a fixed time.
 */
public final class Poll {
    /** One look at the condition: a value once it holds, empty while it does not. */
    @FunctionalInterface
    public interface Probe<T> {
        Optional<T> check() throws IOException, InterruptedException;
    }

    private final InstantSource clock;
    private final Duration interval;

    public Poll(InstantSource clock, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("a poll interval must be positive, got " + interval);
        }
        this.clock = clock;
        this.interval = interval;
    }

    /** The probe's first value, or empty when it has none by {@code bound} from now. */
    public <T> Optional<T> until(Duration bound, Probe<T> probe) throws IOException, InterruptedException {
        Instant deadline = clock.instant().plus(bound);
        while (true) {
            Optional<T> value = probe.check();
            if (value.isPresent()) {
                return value;
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return Optional.empty();
            }
            Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left.toMillis())));
        }
    }
}
