package dev.thaw.bench.load;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar rewritten in place with {@code \r}, at most five times a second so a fast run does not
 * flood the terminal: {@code [#####.....] 123/400 sent, 120 done, 2 failed, 0:42 left}.
 */
public final class ConsoleProgress implements ProgressListener {
    private static final int WIDTH = 30;
    private static final long INTERVAL_NANOS = 200_000_000L;

    private final PrintStream out;
    private final LongSupplier nanoTime;
    private long lastNanos;
    private boolean printed;
    private String last = "";
    private int widest;

    public ConsoleProgress() {
        this(System.err, System::nanoTime);
    }

    ConsoleProgress(PrintStream out, LongSupplier nanoTime) {
        this.out = out;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized void update(int total, int sent, int done, int failed, double secondsLeft) {
        last = line(total, sent, done, failed, secondsLeft);
        long now = nanoTime.getAsLong();
        // The last answer is always shown, so the final line is exact.
        if (printed && now - lastNanos < INTERVAL_NANOS && done < total) {
            return;
        }
        lastNanos = now;
        printed = true;
        // Spaces cover what a longer earlier line left behind.
        out.print("\r" + last + " ".repeat(Math.max(0, widest - last.length())));
        widest = Math.max(widest, last.length());
        out.flush();
    }

    @Override
    public synchronized void finished() {
        out.print(printed ? "\n" : last + "\n");
        out.flush();
    }

    static String line(int total, int sent, int done, int failed, double secondsLeft) {
        int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
        long left = Math.max(0, (long) Math.ceil(secondsLeft));
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + sent + "/" + total + " sent, " + done
                + " done, " + failed + " failed, " + left / 60 + ":" + String.format(java.util.Locale.ROOT, "%02d", left % 60) + " left";
    }
}
