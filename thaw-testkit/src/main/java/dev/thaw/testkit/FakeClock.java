package dev.thaw.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that stands still until a test moves it: code under test that reads time through an
 * injected {@link InstantSource} (or {@link #nanoTime()} where it measures intervals) sees exactly
 * the time the test set, so expiry and timeouts are driven without waiting. Thread-safe.
 */
public final class FakeClock implements InstantSource {
    /** An arbitrary fixed start, far from the epoch so that nothing mistakes it for "unset". */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final long NANO_ORIGIN = 1_000_000_000_000L;

    private final AtomicLong nanos;
    private final long epochNanos;

    public FakeClock() {
        this(START);
    }

    public FakeClock(Instant start) {
        this.epochNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
        this.nanos = new AtomicLong();
    }

    /** Moves the clock forward by {@code step}; returns the new instant. */
    public Instant advance(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + step);
        }
        nanos.addAndGet(step.toNanos());
        return instant();
    }

    /** Moves the clock forward by {@code millis} milliseconds. */
    public Instant advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    @Override
    public Instant instant() {
        long total = epochNanos + nanos.get();
        return Instant.ofEpochSecond(Math.floorDiv(total, 1_000_000_000L), Math.floorMod(total, 1_000_000_000L));
    }

    /**
     * Monotonic nanoseconds, for code that takes a {@code LongSupplier} of nanos: like {@link System#nanoTime()}
     * they count from an arbitrary origin (never 0, which some code reads as "never"), and only differences mean
     * anything.
     */
    public long nanoTime() {
        return NANO_ORIGIN + nanos.get();
    }
}
