package dev.thaw.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummariesTest {

    static Sample ok(String config, String start, double initMs, long bytes) {
        return new Sample(config, "f", start, false, initMs, 0, bytes);
    }

    static Sample failure(String config) {
        return new Sample(config, "f", "-", true, 99_999, 0, 7);
    }

    @Test
    void failuresCountOnlyThePlatformsAndTheOtherClassesStandBeside() {
        List<Sample> samples = List.of(ok("local", "warm", 1, 0),
                new Sample("local", "f", "-", true, 5, 0, 0, Sample.FUNCTION_ERROR),
                new Sample("local", "f", "-", true, 5, 0, 0, Sample.FUNCTION_ERROR),
                new Sample("local", "f", "-", true, 5, 0, 0, Sample.REJECTED),
                new Sample("local", "f", "-", true, 5, 0, 0, Sample.CLIENT_ERROR),
                new Sample("local", "f", "-", true, 5, 0, 0, Sample.PLATFORM_ERROR),
                new Sample("local", "f", "-", true, 5, 0, 0, null));
        ConfigurationSummary s = Summaries.of("local", samples);
        assertThat(s.invocations()).isEqualTo(7);
        assertThat(s.failures()).isEqualTo(2);
        assertThat(s.functionErrors()).isEqualTo(2);
        assertThat(s.rejected()).isEqualTo(1);
        assertThat(s.clientErrors()).isEqualTo(1);
        assertThat(s.coldStarts()).isZero();
        assertThat(new Sample("local", "f", "warm", false, 1, 0, 0, Sample.FUNCTION_ERROR).failure()).isEmpty();
    }

    @Test
    void warmStartsAndFailuresStayOutOfLatencyFigures() {
        List<Sample> samples = List.of(
                ok("local", "warm", 1, 0), ok("local", "warm", 2, 0),
                ok("local", "clone", 100, 0), ok("local", "local", 200, 0),
                ok("local", "remote", 300, 1000), ok("local", "boot", 400, 0),
                failure("local"));
        ConfigurationSummary s = Summaries.of("local", samples);
        assertThat(s.invocations()).isEqualTo(7);
        assertThat(s.failures()).isEqualTo(1);
        assertThat(s.coldStarts()).isEqualTo(4);
        assertThat(s.meanMs()).isEqualTo(250.0);
        assertThat(s.p50Ms()).isEqualTo(200.0);
        assertThat(s.p99Ms()).isEqualTo(400.0);
        assertThat(s.starts()).isEqualTo(new StartCounts(2, 1, 1, 1, 1));
        // clone + local hit, remote misses, boot had no snapshot to hit.
        assertThat(s.cacheHitRate()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(s.bytesFetched()).isEqualTo(1007);
    }

    @Test
    void percentilesAreNearestRank() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            samples.add(ok("c", "boot", i, 0));
        }
        ConfigurationSummary s = Summaries.of("c", samples);
        assertThat(List.of(s.p50Ms(), s.p90Ms(), s.p95Ms(), s.p99Ms())).containsExactly(50.0, 90.0, 95.0, 99.0);
        assertThat(s.meanMs()).isEqualTo(50.5);
        assertThat(s.cacheHitRate()).isNaN();
    }

    @Test
    void noColdStartsGivesUndefinedFigures() {
        ConfigurationSummary s = Summaries.of("x", List.of(ok("x", "warm", 3, 0), failure("x")));
        assertThat(s.coldStarts()).isZero();
        assertThat(s.meanMs()).isNaN();
        assertThat(s.p95Ms()).isNaN();
        assertThat(Summaries.of("empty", List.of()).invocations()).isZero();
    }

    @Test
    void unknownStartKindIsRejected() {
        assertThatThrownBy(() -> Summaries.of("x", List.of(ok("x", "thaw", 1, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thaw");
    }

    @Test
    void groupsByConfigurationInThesisOrder() {
        List<Sample> samples = List.of(ok("remote-cache-aware", "clone", 5, 0), ok("zzz", "boot", 1, 0),
                ok("no-snapshots", "boot", 5000, 0), ok("local", "warm", 1, 0));
        assertThat(Summaries.byConfiguration(samples)).extracting(ConfigurationSummary::name)
                .containsExactly("no-snapshots", "local", "remote-cache-aware", "zzz");
        assertThat(Summaries.coldStartLatencies(samples)).containsEntry("local", List.of())
                .containsEntry("no-snapshots", List.of(5000.0));
    }
}
