package dev.thaw.bench.sim;

/**
 * How long an idle instance stays warm, which idle instance goes first when a node needs room, and whether to
 * pre-warm one before a predicted invocation. Times are milliseconds of simulated time.
 */
public interface KeepAlivePolicy {
    String name();

    /** Told of every invocation, before it is served. */
    default void record(int function, double nowMs) {
    }

    /** Told, at each invocation, how many invocations of its function run (the arriving one included). */
    default void running(int function, double nowMs, int running) {
    }

    /**
     * When an idle instance's keep-alive ends, with {@code instances} of its function live and this one idle for
     * {@code idleMs}: how much longer it stays; 0 or less removes it.
     */
    default double extendMs(int function, double nowMs, int instances, double idleMs) {
        return 0;
    }

    /** How long an instance that becomes idle at {@code endMs} stays warm; infinite keeps it until evicted. */
    double keepAliveMs(int function, double endMs);

    /**
     * When the last instance of a function is gone: the window, relative to the end of its last execution, in
     * which a pre-warmed instance should be ready; null for none.
     */
    default Window prewarm(int function, double lastEndMs) {
        return null;
    }

    /**
     * When an invocation finds its function with no instance at all and starts one: how many more to pre-warm at
     * once, given the most instances the function had live at a time in its previous busy period.
     */
    default int burstInstances(int function, int lastPeak) {
        return 0;
    }

    /** Under memory pressure the idle instance of lowest priority goes first. */
    double priority(int function, double lastUsedMs);

    /** Told the priority of each instance evicted under memory pressure. */
    default void evicted(double priority) {
    }

    /** A pre-warm window: the instance should be ready at {@code startMs} and stays until {@code endMs}. */
    record Window(double startMs, double endMs) {
    }
}
