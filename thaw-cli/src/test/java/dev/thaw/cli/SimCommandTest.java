package dev.thaw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** thaw sim on bad input: a clear error, and nothing simulated or written. */
class SimCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int exit, String err, String out) {
    }

    private Outcome sim(String... args) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setErr(new PrintWriter(err)).setOut(new PrintWriter(out))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("thaw: " + e.getMessage());
                    return 1;
                });
        int exit = cli.execute(args);
        return new Outcome(exit, err.toString(), out.toString());
    }

    @Test
    void aBadCountNamesFileLineAndColumnAndSimulatesNothing() throws IOException {
        Path trace = Files.createDirectories(dir.resolve("trace"));
        Path file = Files.writeString(trace.resolve("invocations.csv"), """
                HashOwner,HashApp,HashFunction,Trigger,1,2
                o,a,f1,http,1,2
                o,a,f2,http,3,-4
                """);
        Path json = dir.resolve("sim.json");
        Path charts = dir.resolve("charts");
        Outcome o = sim("sim", "--trace", trace.toString(), "--no-progress", "--json", json.toString(), "--charts",
                charts.toString());
        assertThat(o.exit()).isNotZero();
        assertThat(o.err()).contains(file + ":3:").contains("column 6").contains("-4");
        assertThat(o.out()).doesNotContain("cold");
        assertThat(json).doesNotExist();
        assertThat(charts).doesNotExist();
    }

    @Test
    void anUnknownPolicyListsTheKnownOnesAndSimulatesNothing() throws IOException {
        Path trace = Files.createDirectories(dir.resolve("trace"));
        Files.writeString(trace.resolve("invocations.csv"), """
                HashOwner,HashApp,HashFunction,Trigger,1,2
                o,a,f1,http,1,2
                """);
        Path json = dir.resolve("sim.json");
        Outcome o = sim("sim", "--trace", trace.toString(), "--no-progress", "--json", json.toString(),
                "--combinations", "forever+lru+snapshot-aware+none");
        assertThat(o.exit()).isNotZero();
        assertThat(o.err()).contains("unknown keep-alive policy 'forever'")
                .contains("fixed, greedy-dual, hybrid-histogram");
        assertThat(json).doesNotExist();
    }
}
