package dev.thaw.bench.load;

/** Hears how a run is going; called from many threads. */
public interface ProgressListener {
    ProgressListener NONE = (total, sent, done, failed, secondsLeft) -> {
    };

    /** After each send and each answer; {@code secondsLeft} is the schedule's remaining time. */
    void update(int total, int sent, int done, int failed, double secondsLeft);

    /** Once, after every invocation has finished. */
    default void finished() {
    }
}
