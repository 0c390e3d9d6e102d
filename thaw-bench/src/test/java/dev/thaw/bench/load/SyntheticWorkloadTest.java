package dev.thaw.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticWorkloadTest {
    @Test
    void thesisPatternIsOnThenOff() {
        Workload workload = ThesisPattern.of(List.of("a", "b", "c"), 3, 60, 60, 2);

        assertThat(workload.durationSeconds()).isEqualTo(360);
        assertThat(workload.countsByFunction()).isEqualTo(Map.of("a", 360, "b", 360, "c", 360));
        assertThat(workload.arrivals()).allSatisfy(a -> assertThat(a.atSeconds() % 120).isLessThan(60));
        for (int cycle = 0; cycle < 3; cycle++) {
            double start = cycle * 120;
            assertThat(workload.arrivals()).anySatisfy(a -> assertThat(a.atSeconds()).isEqualTo(start));
            assertThat(workload.arrivals().stream().filter(a -> a.atSeconds() >= start && a.atSeconds() < start + 60))
                    .hasSize(360);
        }
    }

    @Test
    void poissonZipfHasTheRateAndSkew() {
        List<String> functions = List.of("f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10");
        Workload workload = PoissonZipf.of(functions, 50, 1, 200, 42);

        assertThat(workload.size()).isCloseTo(10_000, within(400));
        Map<String, Integer> counts = workload.countsByFunction();
        double harmonic = 0;
        for (int k = 1; k <= 10; k++) {
            harmonic += 1.0 / k;
        }
        for (int k = 1; k <= 10; k++) {
            double expected = workload.size() / k / harmonic;
            assertThat((double) counts.get("f" + k)).as("f%d", k).isCloseTo(expected, within(expected * 0.15 + 20));
        }
        assertThat(PoissonZipf.of(functions, 50, 1, 200, 42)).isEqualTo(workload);
        assertThat(PoissonZipf.of(functions, 50, 1, 200, 43)).isNotEqualTo(workload);
    }

    @Test
    void zipfZeroIsUniform() {
        Workload workload = PoissonZipf.of(List.of("a", "b"), 100, 0, 100, 3);
        assertThat((double) workload.countsByFunction().get("a") / workload.size()).isCloseTo(0.5, within(0.03));
    }

    @Test
    void compressionDividesTimes() {
        Workload workload = new Workload(List.of(new Arrival(120, "b"), new Arrival(30, "a")), 600, "w");
        Workload fast = workload.compressed(10);

        assertThat(fast.durationSeconds()).isEqualTo(60);
        assertThat(fast.arrivals()).containsExactly(new Arrival(3, "a"), new Arrival(12, "b"));
        assertThat(fast.description()).contains("compressed 10");
        assertThatThrownBy(() -> workload.compressed(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void workloadSortsAndValidates() {
        Workload workload = new Workload(List.of(new Arrival(2, "x"), new Arrival(1, "y")), 5, null);
        assertThat(workload.arrivals()).extracting(Arrival::function).containsExactly("y", "x");
        assertThatThrownBy(() -> new Workload(List.of(new Arrival(6, "x")), 5, "")).hasMessageContaining("after");
        assertThatThrownBy(() -> new Arrival(-1, "x")).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> new Arrival(1, " ")).hasMessageContaining("function");
    }
}
