package dev.thaw.bench.sim;

/** The platform's per-function idle-time histogram ({@link dev.thaw.control.keepalive.IdleHistogram}), per function. */
public final class IdleHistogram {
    private final dev.thaw.control.keepalive.IdleHistogram[] functions;

    public IdleHistogram(int count) {
        functions = new dev.thaw.control.keepalive.IdleHistogram[count];
        for (int f = 0; f < count; f++) {
            functions[f] = new dev.thaw.control.keepalive.IdleHistogram();
        }
    }

    public dev.thaw.control.keepalive.IdleHistogram of(int function) {
        return functions[function];
    }

    public void record(int function, double idleMs) {
        functions[function].record(idleMs);
    }

    public void overlap(int function) {
        functions[function].overlap();
    }

    public int samples(int function) {
        return functions[function].samples();
    }

    public double quantileMs(int function, double q, boolean upperEdge) {
        return functions[function].quantileMs(q, upperEdge);
    }
}
