package dev.thaw.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordsCsvTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsCommasQuotesAndMissingTimes() throws IOException {
        List<InvocationRecord> records = List.of(
                new InvocationRecord(0, "hello", 200, "clone", "node-1", 12.5, 0, 1, 2, 3, 4, 25.25, "", 0, 42),
                new InvocationRecord(15, "f,g", 503, null, "", Double.NaN, 7, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, 30, "HTTP 503: queue full, \"retry\" later", 12.5, 0),
                new InvocationRecord(20, "h", 0, "-", "-", Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, 1000, "ConnectException: refused\nagain"));
        Path file = dir.resolve("records.csv");
        RecordsCsv.write(file, records);

        assertThat(Files.readAllLines(file).getFirst()).startsWith("sentAtMs,function,status,start,node,initMs");
        assertThat(RecordsCsv.read(file)).isEqualTo(records);
        assertThat(records.get(1).start()).isEqualTo("-");
        assertThat(records.get(0).ok()).isTrue();
        assertThat(records.get(1).ok()).isFalse();
    }

    @Test
    void badNumberNamesFileAndLine() throws IOException {
        Path file = dir.resolve("records.csv");
        RecordsCsv.write(file, List.of(new InvocationRecord(0, "f", 200, "warm", "n", 1, 1, 1, 1, 1, 1, 1, "")));
        Files.writeString(file, Files.readString(file) + "5,f,abc,warm,n,1,1,1,1,1,1,1,,0\n");
        assertThatThrownBy(() -> RecordsCsv.read(file)).hasMessageContaining("records.csv:3:")
                .hasMessageContaining("status");
    }
}
