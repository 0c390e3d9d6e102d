package dev.thaw.cli;

import dev.thaw.bench.sim.Simulator;
import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line per simulated combination, rewritten in place at most five times a second, as
 * {@code thaw load}'s bar is: {@code [#####.....] name 4.1M/9.8M invocations, 2.3M/s}.
 */
final class SimProgress implements Simulator.Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final String name;
    private final long startNanos = System.nanoTime();
    private long lastNanos;
    private int widest;

    SimProgress(PrintStream out, String name) {
        this.out = out;
        this.name = name;
    }

    @Override
    public void update(long done, long total) {
        long now = System.nanoTime();
        if (now - lastNanos < 200_000_000L && done < total) {
            return;
        }
        lastNanos = now;
        int filled = total == 0 ? WIDTH : (int) (done * WIDTH / total);
        double rate = done / Math.max(1e-9, (now - startNanos) / 1e9);
        String line = String.format(Locale.ROOT, "[%s%s] %s %.1fM/%.1fM invocations, %.2fM/s", "#".repeat(filled),
                ".".repeat(WIDTH - filled), name, done / 1e6, total / 1e6, rate / 1e6);
        out.print("\r" + line + " ".repeat(Math.max(0, widest - line.length())));
        widest = Math.max(widest, line.length());
        if (done >= total) {
            out.println();
        }
        out.flush();
    }
}
