package dev.thaw.bench.report;

import java.util.List;
import java.util.Optional;

/**
 * The thesis' mean cold-start initialization latencies (Table 6.2, stargz snapshotter), kept to
 * put Thaw's numbers beside them. The thesis measured some configurations only trace-driven and
 * others only in its controlled experiment; a missing figure is {@code null}.
 *
 * @param traceDrivenMs mean under the trace-driven workload
 * @param controlledMs mean in the controlled experiment
 */
public record ThesisReference(String configuration, Double traceDrivenMs, Double controlledMs) {

    public static final List<ThesisReference> TABLE_6_2 = List.of(
            new ThesisReference(Configurations.NO_SNAPSHOTS, 5398.0, 6698.0),
            new ThesisReference(Configurations.LOCAL, null, 197.0),
            new ThesisReference(Configurations.REMOTE_NOCACHE, null, 757.0),
            new ThesisReference(Configurations.REMOTE_CACHE, 2088.0, null),
            new ThesisReference(Configurations.REMOTE_CACHE_AWARE, 2078.0, null));

    /** Thesis' remote-cache-aware ÷ no-snapshots, trace-driven: 2078 / 5398. */
    public static final double AWARE_TO_NO_SNAPSHOTS = 2078.0 / 5398.0;

    public static Optional<ThesisReference> of(String configuration) {
        return TABLE_6_2.stream().filter(r -> r.configuration().equals(configuration)).findFirst();
    }
}
