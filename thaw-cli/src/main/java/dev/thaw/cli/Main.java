package dev.thaw.cli;

import dev.thaw.cli.packaging.PackageCommand;
import dev.thaw.http.VirtualThreadCarriers;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code thaw} command. */
@Command(name = "thaw", mixinStandardHelpOptions = true, version = "thaw 0.1.0",
        description = "Serverless functions in QEMU microVMs, started from memory snapshots instead of boots.",
        subcommands = {DemoCommand.class, UpCommand.class, GatewayCommand.class, NodeCommand.class, ExtenderCommand.class, ClientCommands.Deploy.class, ClientCommands.Invoke.class,
                ClientCommands.Ls.class, ClientCommands.Status.class, ClientCommands.Delete.class,
                AccessCommands.NamespaceCommand.class, AccessCommands.TokenCommand.class,
                EvalCommands.Load.class, EvalCommands.Eval.class, ImageCommand.class, PackageCommand.class, BenchCommand.class, SimCommand.class, TraceCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        VirtualThreadCarriers.widen();
        int exit = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("thaw: " + e.getMessage());
                    return 1;
                })
                .execute(args);
        System.exit(exit);
    }
}
