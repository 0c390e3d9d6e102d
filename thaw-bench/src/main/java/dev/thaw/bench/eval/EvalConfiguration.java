package dev.thaw.bench.eval;

import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import java.util.Arrays;
import java.util.List;

/**
 * The five set-ups of the thesis' evaluation (chapter 6), as Thaw clusters,
 * and {@code remote-cache-aware-policies}: remote-cache-aware with the
 * policies {@code thaw sim} chose (cost-aware placement, hybrid histogram
 * keep-alive, histogram snapshot prefetch). The first four place cold starts
 * snapshot-blind ({@code spread}), as a default scheduler would.
 */
public enum EvalConfiguration {
    NO_SNAPSHOTS("no-snapshots", SnapshotMode.DISABLED, SchedulerPolicy.SPREAD, true),
    LOCAL("local", SnapshotMode.LOCAL, SchedulerPolicy.SPREAD, true),
    REMOTE_NOCACHE("remote-nocache", SnapshotMode.REMOTE, SchedulerPolicy.SPREAD, false),
    REMOTE_CACHE("remote-cache", SnapshotMode.REMOTE, SchedulerPolicy.SPREAD, true),
    REMOTE_CACHE_AWARE("remote-cache-aware", SnapshotMode.REMOTE, SchedulerPolicy.SNAPSHOT_AWARE, true),
    REMOTE_CACHE_AWARE_POLICIES("remote-cache-aware-policies", SnapshotMode.REMOTE, SchedulerPolicy.COST_AWARE, true,
            KeepAlivePolicy.HYBRID_HISTOGRAM, SnapshotPrefetch.HISTOGRAM);

    /** The thesis' five, which {@code thaw eval} runs by default. */
    public static final List<EvalConfiguration> THESIS = List.of(NO_SNAPSHOTS, LOCAL, REMOTE_NOCACHE, REMOTE_CACHE,
            REMOTE_CACHE_AWARE);

    private final String label;
    private final SnapshotMode mode;
    private final SchedulerPolicy policy;
    private final boolean cached;
    private final KeepAlivePolicy keepAlive;
    private final SnapshotPrefetch prefetch;

    EvalConfiguration(String label, SnapshotMode mode, SchedulerPolicy policy, boolean cached) {
        this(label, mode, policy, cached, KeepAlivePolicy.FIXED, SnapshotPrefetch.NONE);
    }

    /** @param cached whether nodes keep fetched snapshots (a cache budget), or fetch per start */
    EvalConfiguration(String label, SnapshotMode mode, SchedulerPolicy policy, boolean cached,
            KeepAlivePolicy keepAlive, SnapshotPrefetch prefetch) {
        this.label = label;
        this.mode = mode;
        this.policy = policy;
        this.cached = cached;
        this.keepAlive = keepAlive;
        this.prefetch = prefetch;
    }

    public KeepAlivePolicy keepAlive() {
        return keepAlive;
    }

    public SnapshotPrefetch prefetch() {
        return prefetch;
    }

    public String label() {
        return label;
    }

    public SnapshotMode mode() {
        return mode;
    }

    public SchedulerPolicy policy() {
        return policy;
    }

    public boolean cached() {
        return cached;
    }

    public static EvalConfiguration parse(String text) {
        return Arrays.stream(values()).filter(c -> c.label.equals(text.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown configuration '" + text + "'; use one of "
                        + Arrays.stream(values()).map(EvalConfiguration::label).toList()));
    }

    public static List<EvalConfiguration> parseList(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).filter(s -> !s.isBlank()).map(EvalConfiguration::parse)
                .distinct().toList();
    }
}
