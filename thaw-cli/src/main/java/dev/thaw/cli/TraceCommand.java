package dev.thaw.cli;

import dev.thaw.bench.trace.TraceSynthesizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code thaw trace}: tools for workload traces. */
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Workload traces.",
        subcommands = TraceCommand.Synth.class)
final class TraceCommand {

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Writes a synthetic trace in the Azure Functions 2019 layout (invocations.csv, "
                    + "durations.csv, memory.csv) following the published characterization of that trace: "
                    + "rates over many orders of magnitude, timer-triggered periodic functions, bursts, and its "
                    + "memory and execution-time distributions. See docs/policies.md.")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--functions", required = true, description = "how many functions")
        int functions;

        @Option(names = "--minutes", defaultValue = "1440", description = "trace length (default: ${DEFAULT-VALUE})")
        int minutes;

        @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write into")
        Path out;

        @Override
        public Integer call() {
            TraceSynthesizer.Summary s = TraceSynthesizer.write(functions, minutes, seed, out);
            System.out.printf("wrote %s: %d functions (%d timer-triggered), %d minutes, %d invocations%n", out,
                    s.functions(), s.timerFunctions(), s.minutes(), s.invocations());
            return 0;
        }
    }
}
