package dev.thaw.bench.sim;

/** How a start was served, as the X-Thaw-Start header names it. */
public enum Tier {
    WARM, CLONE, LOCAL, REMOTE, BOOT;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
