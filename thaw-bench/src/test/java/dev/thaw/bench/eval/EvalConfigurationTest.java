package dev.thaw.bench.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.bench.load.InvocationRecord;
import dev.thaw.bench.report.Sample;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalConfigurationTest {
    @Test
    void theFiveConfigurationsAreTheThesisOnesAndOnlyTheLastIsSnapshotAware() {
        assertThat(EvalConfiguration.parseList("no-snapshots,local,remote-nocache,remote-cache,remote-cache-aware"))
                .containsExactly(EvalConfiguration.values());
        assertThat(EvalConfiguration.NO_SNAPSHOTS.mode()).isEqualTo(SnapshotMode.DISABLED);
        assertThat(EvalConfiguration.REMOTE_NOCACHE.cached()).isFalse();
        assertThat(List.of(EvalConfiguration.values())).filteredOn(c -> c.policy() == SchedulerPolicy.SNAPSHOT_AWARE)
                .containsExactly(EvalConfiguration.REMOTE_CACHE_AWARE);
        assertThatThrownBy(() -> EvalConfiguration.parseList("local,fast"))
                .hasMessageContaining("unknown configuration 'fast'");
        assertThat(EvalConfiguration.parseList("local,,local")).containsExactly(EvalConfiguration.LOCAL);
    }

    @Test
    void recordsBecomeSamplesWithFailuresMarked() {
        List<Sample> samples = Evaluation.samples(EvalConfiguration.LOCAL, List.of(
                new InvocationRecord(0, "hello", 200, "local", "node-1", 180, 0, 1, 0, 170, 2, 190, "", 0, 0),
                new InvocationRecord(10, "hello", 503, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, 5, "HTTP 503: no_nodes", 0, 0)));
        assertThat(samples.get(0)).isEqualTo(new Sample("local", "hello", "local", false, 180, 0, 0));
        assertThat(samples.get(1).failed()).isTrue();
        assertThat(samples.get(1).start()).isEqualTo("-");
    }
}
