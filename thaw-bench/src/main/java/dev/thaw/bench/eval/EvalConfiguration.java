package dev.thaw.bench.eval;

import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import java.util.Arrays;
import java.util.List;

/**
 * The five set-ups of the thesis' evaluation (chapter 6), as Thaw clusters.
 * All but the last place cold starts snapshot-blind ({@code spread}), as a
 * default scheduler would.
 *
 * @param cached whether nodes keep fetched snapshots (a cache budget), or fetch per start
 */
public enum EvalConfiguration {
    NO_SNAPSHOTS("no-snapshots", SnapshotMode.DISABLED, SchedulerPolicy.SPREAD, true),
    LOCAL("local", SnapshotMode.LOCAL, SchedulerPolicy.SPREAD, true),
    REMOTE_NOCACHE("remote-nocache", SnapshotMode.REMOTE, SchedulerPolicy.SPREAD, false),
    REMOTE_CACHE("remote-cache", SnapshotMode.REMOTE, SchedulerPolicy.SPREAD, true),
    REMOTE_CACHE_AWARE("remote-cache-aware", SnapshotMode.REMOTE, SchedulerPolicy.SNAPSHOT_AWARE, true);

    private final String label;
    private final SnapshotMode mode;
    private final SchedulerPolicy policy;
    private final boolean cached;

    EvalConfiguration(String label, SnapshotMode mode, SchedulerPolicy policy, boolean cached) {
        this.label = label;
        this.mode = mode;
        this.policy = policy;
        this.cached = cached;
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
