package dev.thaw.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimTraceTest {
    @TempDir
    Path dir;

    private Path invocations(String text) throws IOException {
        return Files.writeString(dir.resolve("invocations.csv"), text);
    }

    @Test
    void readsFunctionsWithSizesAndDropsSilentOnes() throws IOException {
        invocations("""
                HashOwner,HashApp,HashFunction,Trigger,1,2,3
                o,a,f1,http,1,0,2
                o,a,f2,timer,0,0,0
                o,b,f3,queue,3.0,,1
                """);
        Files.writeString(dir.resolve("memory.csv"), "HashOwner,HashApp,AverageAllocatedMb\no,a,300\n");
        Files.writeString(dir.resolve("durations.csv"), "HashOwner,HashApp,HashFunction,Average\no,a,f1,250\n");
        SimTrace trace = SimTrace.read(dir, 0, 0.25);
        assertThat(trace.functions()).extracting(SimFunction::key).containsExactly("o/a/f1", "o/b/f3");
        SimFunction f1 = trace.functions().getFirst();
        assertThat(f1.memoryMib()).isEqualTo(300);
        assertThat(f1.durationMs()).isEqualTo(250);
        assertThat(f1.snapshotBytes()).isEqualTo(300L << 20);
        assertThat(f1.fetchBytes()).isEqualTo(75L << 20);
        // Without sizes: the trace's medians.
        assertThat(trace.functions().get(1).memoryMib()).isEqualTo(SimTrace.DEFAULT_MEMORY_MIB);
        assertThat(trace.invocations()).isEqualTo(7);
        assertThat(trace.minutes()).isEqualTo(3);
    }

    @Test
    void badCountsNameFileLineAndColumn() throws IOException {
        Path file = invocations("HashOwner,HashApp,HashFunction,1,2\no,a,f,1,2\no,a,g,x,1\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file + ":3:")
                .hasMessageContaining("column 4").hasMessageContaining("'x'");
        invocations("HashOwner,HashApp,HashFunction,1,2\no,a,f,1,-2\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file + ":2:")
                .hasMessageContaining("column 5");
        invocations("HashOwner,HashApp,HashFunction,1,2\no,a,f,1,10000001\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file + ":2:")
                .hasMessageContaining("column 5").hasMessageContaining("10000000");
    }

    @Test
    void missingColumnsAndEmptyTracesAreErrors() throws IOException {
        Path file = invocations("HashOwner,HashApp,1,2\no,a,1,2\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file + ":2:")
                .hasMessageContaining("HashFunction");
        invocations("HashOwner,HashApp,HashFunction,1,2,3\no,a,f,1,2\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file + ":2:")
                .hasMessageContaining("missing column 6");
        invocations("HashOwner,HashApp,HashFunction\no,a,f\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file + ":1:")
                .hasMessageContaining("no minute columns");
        invocations("HashOwner,HashApp,HashFunction,1,2\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining(file.toString())
                .hasMessageContaining("no functions");
        invocations("HashOwner,HashApp,HashFunction,1,2\no,a,f,0,0\n");
        assertThatThrownBy(() -> SimTrace.read(dir, 0, 0.2)).hasMessageContaining("no functions");
    }
}
