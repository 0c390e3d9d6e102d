package dev.thaw.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureTraceTest {
    private static final List<DeployedFunction> DEPLOYED = List.of(new DeployedFunction("small-fast", 128, 10),
            new DeployedFunction("big-slow", 2048, 5000), new DeployedFunction("mid", 512, 300));

    @TempDir
    Path dir;

    private void trace() throws IOException {
        Files.writeString(dir.resolve("invocations.csv"), """
                HashOwner,HashApp,HashFunction,Trigger,1,2,3
                o1,a1,f1,http,4,0,2
                o1,a2,f2,timer,0,3,0
                o2,a3,f3,queue,1,1,5
                """);
        Files.writeString(dir.resolve("durations.csv"), """
                HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100,Extra
                o1,a1,f1,12,6,1,30,1,1,5,10,20,30,30,x
                o1,a2,f2,4000,3,100,9000,100,100,3000,4000,5000,9000,9000,y
                o2,a3,f3,250,7,200,400,200,200,220,250,300,400,400,z
                """);
        // Memory in the public trace is per app; unknown columns are ignored.
        Files.writeString(dir.resolve("memory.csv"), """
                HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct100,Other
                o1,a1,10,100,90,120,q
                o1,a2,10,1900,1800,2100,q
                o2,a3,10,600,500,700,q
                """);
    }

    @Test
    void mapsByMemoryAndDurationAndKeepsCountsPerMinute() throws IOException {
        trace();
        Workload workload = AzureTrace.read(dir, DEPLOYED, InterArrival.UNIFORM, 1, 0);

        assertThat(workload.durationSeconds()).isEqualTo(180);
        assertThat(workload.countsByFunction()).isEqualTo(Map.of("small-fast", 6, "big-slow", 3, "mid", 7));
        assertThat(perMinute(workload, "small-fast")).containsExactly(4, 0, 2);
        assertThat(perMinute(workload, "big-slow")).containsExactly(0, 3, 0);
        assertThat(perMinute(workload, "mid")).containsExactly(1, 1, 5);
    }

    @Test
    void maxMinutesCutsTheTrace() throws IOException {
        trace();
        Workload workload = AzureTrace.read(dir, DEPLOYED, InterArrival.EQUIDISTANT, 1, 2);

        assertThat(workload.durationSeconds()).isEqualTo(120);
        assertThat(workload.size()).isEqualTo(4 + 3 + 2);
    }

    @Test
    void everyModePlacesArrivalsInsideTheirMinute() throws IOException {
        Files.writeString(dir.resolve("invocations.csv"), "HashOwner,HashApp,HashFunction,Trigger,1,2\n"
                + "o,a,f,http,50,200\n");
        for (InterArrival mode : InterArrival.values()) {
            for (long seed = 0; seed < 20; seed++) {
                Workload workload = AzureTrace.read(dir, DEPLOYED, mode, seed, 0);
                assertThat(workload.arrivals().subList(0, 50)).as("%s", mode)
                        .allSatisfy(a -> assertThat(a.atSeconds()).isGreaterThanOrEqualTo(0).isLessThan(60));
                assertThat(workload.arrivals().subList(50, 250)).as("%s", mode)
                        .allSatisfy(a -> assertThat(a.atSeconds()).isGreaterThanOrEqualTo(60).isLessThan(120));
            }
        }
    }

    @Test
    void equidistantSpacingIsExact() throws IOException {
        Files.writeString(dir.resolve("invocations.csv"), "HashFunction,1,2\nf,4,3\n");
        List<Arrival> arrivals = AzureTrace.read(dir, DEPLOYED, InterArrival.EQUIDISTANT, 7, 0).arrivals();

        assertThat(arrivals.stream().map(Arrival::atSeconds).toList())
                .containsExactly(0.0, 15.0, 30.0, 45.0, 60.0, 80.0, 100.0);
    }

    @Test
    void sameSeedSameArrivals() throws IOException {
        trace();
        assertThat(AzureTrace.read(dir, DEPLOYED, InterArrival.EXPONENTIAL, 5, 0))
                .isEqualTo(AzureTrace.read(dir, DEPLOYED, InterArrival.EXPONENTIAL, 5, 0));
    }

    @Test
    void exponentialGapsHaveTheMinutesRate() throws IOException {
        Files.writeString(dir.resolve("invocations.csv"), "HashFunction,1\nf,30\n");
        double sum = 0;
        int runs = 200;
        for (long seed = 0; seed < runs; seed++) {
            sum += AzureTrace.read(dir, DEPLOYED, InterArrival.EXPONENTIAL, seed, 0).arrivals().getFirst().atSeconds();
        }
        // The first of 30 arrivals in a minute comes after about 2 s on average.
        assertThat(sum / runs).isCloseTo(2, within(0.8));
    }

    @Test
    void aHugeCountIsRefusedNamingFileLineAndColumn() throws IOException {
        Files.writeString(dir.resolve("invocations.csv"), "HashOwner,HashApp,HashFunction,Trigger,1,2\n"
                + "o,a,f,http,1,2\n" + "o,a,g,http,1," + Integer.MAX_VALUE + "\n");
        assertThatThrownBy(() -> AzureTrace.read(dir, DEPLOYED, InterArrival.UNIFORM, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invocations.csv:3:").hasMessageContaining("column 6")
                .hasMessageContaining("above the limit of 10000000 per minute");
    }

    @Test
    void malformedCountNamesFileAndLine() throws IOException {
        Files.writeString(dir.resolve("invocations.csv"), "HashOwner,HashApp,HashFunction,Trigger,1,2\n"
                + "o,a,f,http,1,2\n" + "o,a,g,http,1,x\n");
        assertThatThrownBy(() -> AzureTrace.read(dir, DEPLOYED, InterArrival.UNIFORM, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invocations.csv:3:").hasMessageContaining("'x'");
    }

    @Test
    void malformedDurationNamesFileAndLine() throws IOException {
        trace();
        Files.writeString(dir.resolve("durations.csv"), "HashOwner,HashApp,HashFunction,Average\no1,a1,f1,fast\n");
        assertThatThrownBy(() -> AzureTrace.read(dir, DEPLOYED, InterArrival.UNIFORM, 1, 0))
                .hasMessageContaining("durations.csv:2:").hasMessageContaining("Average");
    }

    @Test
    void tooManyFieldsAndMissingFilesAreClear() throws IOException {
        assertThatThrownBy(() -> AzureTrace.read(dir, DEPLOYED, InterArrival.UNIFORM, 1, 0))
                .hasMessageContaining("no invocations.csv");
        Files.writeString(dir.resolve("invocations.csv"), "HashFunction,1\nf,1\nf,1,2\n");
        assertThatThrownBy(() -> AzureTrace.read(dir, DEPLOYED, InterArrival.UNIFORM, 1, 0))
                .hasMessageContaining("invocations.csv:3:");
    }

    private static int[] perMinute(Workload workload, String function) {
        int[] counts = new int[(int) (workload.durationSeconds() / 60)];
        workload.arrivals().stream().filter(a -> a.function().equals(function))
                .forEach(a -> counts[(int) (a.atSeconds() / 60)]++);
        return counts;
    }
}
