package dev.thaw.bench.load;

/** Keeps the latest progress as a line for others to print, e.g. with each soak report. */
public final class LatestProgress implements ProgressListener {
    private volatile String line = "";

    @Override
    public void update(int total, int sent, int done, int failed, double secondsLeft) {
        line = total + " invocations: " + sent + " sent, " + done + " done, " + failed + " failed";
    }

    public String line() {
        return line;
    }
}
