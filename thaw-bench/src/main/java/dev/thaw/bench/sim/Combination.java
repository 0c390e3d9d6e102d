package dev.thaw.bench.sim;

/** One policy per decision; its name joins them, e.g. {@code fixed+lru+snapshot-aware+none}. */
public record Combination(String keepAlive, String eviction, String placement, String prefetch) {
    /** Thaw today: a fixed 60 s keep-alive, LRU node caches, the snapshot-aware score, no prefetch. */
    public static final Combination TODAY = new Combination("fixed", "lru", "snapshot-aware", "none");
    /** The combination the simulator recommends (docs/policies.md says why). */
    public static final Combination CHOSEN = new Combination("hybrid-histogram", "lru", "cost-aware", "histogram");

    public String name() {
        return keepAlive + "+" + eviction + "+" + placement + "+" + prefetch;
    }

    /** Parses {@code keepalive+eviction+placement+prefetch}. */
    public static Combination parse(String text) {
        String[] parts = text.strip().split("\\+", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("a combination is keep-alive+eviction+placement+prefetch, e.g. "
                    + TODAY.name() + "; got '" + text + "'");
        }
        Combination c = new Combination(parts[0], parts[1], parts[2], parts[3]);
        Policies.check(c);
        return c;
    }
}
