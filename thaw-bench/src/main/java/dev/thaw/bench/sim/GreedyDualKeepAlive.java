package dev.thaw.bench.sim;

/**
 * FaasCache's Greedy-Dual keep-alive (Fuerst and Sharma, ASPLOS 2021): idle instances stay until memory is needed,
 * then the one of lowest priority = clock + frequency x cold-start cost / memory goes, and the clock rises to its
 * priority. {@code maxIdleMs} bounds how long an idle instance may stay (infinite in the paper).
 */
final class GreedyDualKeepAlive implements KeepAlivePolicy {
    private final int[] frequency;
    private final double[] costPerMib;
    private final double maxIdleMs;
    private double clock;

    GreedyDualKeepAlive(SimTrace trace, StartCosts costs, double maxIdleMs) {
        frequency = new int[trace.functions().size()];
        costPerMib = new double[frequency.length];
        for (int f = 0; f < frequency.length; f++) {
            SimFunction fn = trace.functions().get(f);
            costPerMib[f] = costs.remoteMs(fn.fetchBytes()) / fn.memoryMib();
        }
        this.maxIdleMs = maxIdleMs;
    }

    @Override
    public String name() {
        return Double.isInfinite(maxIdleMs) ? "greedy-dual" : "greedy-dual-" + Math.round(maxIdleMs / 1000) + "s";
    }

    @Override
    public void record(int function, double nowMs) {
        frequency[function]++;
    }

    @Override
    public double keepAliveMs(int function, double endMs) {
        return maxIdleMs;
    }

    @Override
    public double priority(int function, double lastUsedMs) {
        return clock + frequency[function] * costPerMib[function];
    }

    @Override
    public void evicted(double priority) {
        clock = Math.max(clock, priority);
    }
}
