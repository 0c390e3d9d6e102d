package dev.thaw.cli;

import picocli.CommandLine.Command;

/** {@code thaw bench}: one subcommand per benchmark, each in a class of its own. */
@Command(name = "bench", description = "Benchmarks that compare configurations side by side in one run.",
        mixinStandardHelpOptions = true, subcommands = {BenchSandboxCommand.class, BenchSnapshotCommand.class,
                BenchGatewayCommand.class, BenchGatewaysCommand.class, BenchExtenderCommand.class,
                BenchDedupCommand.class, BenchSpreadCommand.class})
final class BenchCommand {
}
