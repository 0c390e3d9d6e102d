package dev.thaw.bench.sim;

/** Thaw's keep-alive today: every idle instance stays a fixed time; under pressure the least recently used goes. */
final class FixedKeepAlive implements KeepAlivePolicy {
    private final double keepAliveMs;

    FixedKeepAlive(double keepAliveMs) {
        this.keepAliveMs = keepAliveMs;
    }

    @Override
    public String name() {
        return keepAliveMs == 60_000 ? "fixed" : "fixed-" + Math.round(keepAliveMs / 1000) + "s";
    }

    @Override
    public double keepAliveMs(int function, double endMs) {
        return keepAliveMs;
    }

    @Override
    public double priority(int function, double lastUsedMs) {
        return lastUsedMs;
    }
}
