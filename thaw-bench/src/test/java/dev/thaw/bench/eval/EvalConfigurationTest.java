package dev.thaw.bench.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.bench.load.InvocationRecord;
import dev.thaw.bench.report.Sample;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalConfigurationTest {
    @Test
    void theFiveConfigurationsAreTheThesisOnesAndOnlyTheLastIsSnapshotAware() {
        assertThat(EvalConfiguration.parseList("no-snapshots,local,remote-nocache,remote-cache,remote-cache-aware"))
                .containsExactlyElementsOf(EvalConfiguration.THESIS);
        assertThat(EvalConfiguration.NO_SNAPSHOTS.mode()).isEqualTo(SnapshotMode.DISABLED);
        assertThat(EvalConfiguration.REMOTE_NOCACHE.cached()).isFalse();
        assertThat(List.of(EvalConfiguration.values())).filteredOn(c -> c.policy() == SchedulerPolicy.SNAPSHOT_AWARE)
                .containsExactly(EvalConfiguration.REMOTE_CACHE_AWARE);
        assertThat(EvalConfiguration.THESIS).allMatch(c -> c.keepAlive() == KeepAlivePolicy.FIXED
                && c.prefetch() == SnapshotPrefetch.NONE);
        assertThatThrownBy(() -> EvalConfiguration.parseList("local,fast"))
                .hasMessageContaining("unknown configuration 'fast'");
        assertThat(EvalConfiguration.parseList("local,,local")).containsExactly(EvalConfiguration.LOCAL);
    }

    @Test
    void theNewPoliciesRunBesideRemoteCacheAware() {
        assertThat(EvalConfiguration.parseList("remote-cache-aware,remote-cache-aware-policies"))
                .containsExactly(EvalConfiguration.REMOTE_CACHE_AWARE, EvalConfiguration.REMOTE_CACHE_AWARE_POLICIES);
        EvalConfiguration policies = EvalConfiguration.REMOTE_CACHE_AWARE_POLICIES;
        assertThat(policies.mode()).isEqualTo(SnapshotMode.REMOTE);
        assertThat(policies.cached()).isTrue();
        assertThat(policies.policy()).isEqualTo(SchedulerPolicy.COST_AWARE);
        assertThat(policies.keepAlive()).isEqualTo(KeepAlivePolicy.HYBRID_HISTOGRAM);
        assertThat(policies.prefetch()).isEqualTo(SnapshotPrefetch.HISTOGRAM);
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
