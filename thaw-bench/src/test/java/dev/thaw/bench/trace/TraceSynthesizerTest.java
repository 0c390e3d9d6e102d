package dev.thaw.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.bench.load.AzureTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceSynthesizerTest {
    @TempDir
    Path dir;

    @Test
    void sameSeedSameFilesAndTheAzureReaderReadsThem() throws IOException {
        TraceSynthesizer.Summary a = TraceSynthesizer.write(50, 120, 7, dir.resolve("a"));
        TraceSynthesizer.write(50, 120, 7, dir.resolve("b"));
        for (String file : List.of("invocations.csv", "durations.csv", "memory.csv")) {
            assertThat(Files.readString(dir.resolve("a").resolve(file)))
                    .isEqualTo(Files.readString(dir.resolve("b").resolve(file)));
        }
        List<AzureTrace.TracedFunction> read = AzureTrace.functions(dir.resolve("a"), 0, 10_000_000);
        assertThat(read).hasSize(50);
        assertThat(read.stream().mapToLong(AzureTrace.TracedFunction::invocations).sum()).isEqualTo(a.invocations());
        assertThat(read).allSatisfy(f -> {
            assertThat(f.counts()).hasSize(120);
            assertThat(f.memoryMib()).isBetween(16.0, 1536.0);
            assertThat(f.durationMs()).isPositive();
        });
    }

    @Test
    void distributionsFollowThePublishedFits() {
        SplittableRandom random = new SplittableRandom(3);
        int n = 20_000;
        double[] duration = new double[n];
        double[] memory = new double[n];
        double[] perDay = new double[n];
        int timers = 0;
        for (int i = 0; i < n; i++) {
            TraceSynthesizer.Function f = TraceSynthesizer.draw(i, random);
            duration[i] = f.durationMs();
            memory[i] = f.memoryMb();
            perDay[i] = f.perDay();
            timers += f.trigger().equals("timer") ? 1 : 0;
        }
        Arrays.sort(duration);
        Arrays.sort(memory);
        // Log-normal median e^-0.38 s = 684 ms; Burr median about 139 MB, 90th percentile under 400 MB.
        assertThat(duration[n / 2]).isBetween(600.0, 780.0);
        assertThat(memory[n / 2]).isBetween(125.0, 155.0);
        assertThat(memory[n * 9 / 10]).isLessThan(400.0);
        assertThat(timers / (double) n).isBetween(0.14, 0.17);
        long hourlyOrLess = Arrays.stream(perDay).filter(r -> r <= 24).count();
        long minutelyOrLess = Arrays.stream(perDay).filter(r -> r <= 1440).count();
        assertThat(hourlyOrLess / (double) n).isBetween(0.36, 0.48);
        assertThat(minutelyOrLess / (double) n).isBetween(0.75, 0.85);
        double max = Arrays.stream(perDay).max().orElseThrow();
        double min = Arrays.stream(perDay).min().orElseThrow();
        assertThat(Math.log10(max / min)).isGreaterThan(6.5);
    }

    @Test
    void timersArePeriodicAndBurstsAreBursty() {
        SplittableRandom random = new SplittableRandom(1);
        TraceSynthesizer.Function timer = new TraceSynthesizer.Function("o", "a", "f", "timer", 96, 15, 4, 1, 0, 100,
                128);
        int[] counts = TraceSynthesizer.counts(timer, 120, random);
        for (int m = 0; m < 120; m++) {
            assertThat(counts[m]).isEqualTo(m % 15 == 4 ? 1 : 0);
        }
        TraceSynthesizer.Function bursty = new TraceSynthesizer.Function("o", "a", "g", "http", 14_400, 0, 0, 0.1, 10,
                100, 128);
        int[] burst = TraceSynthesizer.counts(bursty, 14_400, random);
        double mean = Arrays.stream(burst).average().orElseThrow();
        double variance = Arrays.stream(burst).mapToDouble(c -> (c - mean) * (c - mean)).average().orElseThrow();
        // A Poisson process has variance = mean; on/off modulation makes it far larger.
        assertThat(variance / mean).isGreaterThan(10);
        assertThat(mean).isBetween(7.0, 13.0);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> TraceSynthesizer.write(0, 10, 1, dir)).hasMessageContaining("--functions");
        assertThatThrownBy(() -> TraceSynthesizer.write(10, 0, 1, dir)).hasMessageContaining("--minutes");
    }
}
