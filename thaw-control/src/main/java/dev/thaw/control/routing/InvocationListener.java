package dev.thaw.control.routing;

/** Told about every invocation that got an instance, and every cold start; the gateway's metrics listen. */
public interface InvocationListener {
    void invoked(String function, StartTimings timings);

    void coldStart(String function, String node);

    /** A function got its router (first deploy). */
    default void routerCreated(String function, Router router) {
    }

    /** A function was deleted. */
    default void routerDeleted(String function) {
    }

    InvocationListener NONE = new InvocationListener() {
        @Override
        public void invoked(String function, StartTimings timings) {
        }

        @Override
        public void coldStart(String function, String node) {
        }
    };
}
