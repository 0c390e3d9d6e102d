package dev.thaw.node.service;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Parses a process's {@code --option=value} arguments into a picocli-annotated options object, with
 * the errors Thaw's processes have always given: each one an {@link IllegalArgumentException}
 * whose message names the option, never echoing the value of an option it refuses.
 */
public final class CommandOptions {
    private CommandOptions() {
    }

    /** Whether the user asked for the usage text ({@code --help} or {@code -h} anywhere). */
    public static boolean wantsHelp(String[] args) {
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** Fills {@code options} from {@code args}; returns it. */
    public static <T> T parse(T options, String[] args) {
        try {
            commandLine(options).parseArgs(args);
            return options;
        } catch (CommandLine.UnmatchedArgumentException e) {
            String arg = e.getUnmatched().getFirst();
            if (arg.startsWith("-")) {
                int eq = arg.indexOf('=');
                throw new IllegalArgumentException("unknown option " + (eq < 0 ? arg : arg.substring(0, eq))
                        + "; see --help");
            }
            throw new IllegalArgumentException("unexpected argument '" + arg + "': options look like --name=value");
        } catch (CommandLine.OverwrittenOptionException e) {
            throw new IllegalArgumentException(name(e.getOverwritten()) + " is given twice");
        } catch (CommandLine.MissingParameterException e) {
            String option = e.getMissing().isEmpty() ? "an option" : name(e.getMissing().getFirst());
            throw new IllegalArgumentException(option + " needs a value, e.g. " + option + "=...");
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** The generated usage text of {@code options}' command. */
    public static String usage(Object options) {
        StringWriter text = new StringWriter();
        commandLine(options).usage(new PrintWriter(text, true));
        return text.toString();
    }

    private static CommandLine commandLine(Object options) {
        // No @file expansion: an argument is what it says, as before picocli.
        return new CommandLine(options).setExpandAtFiles(false).setUnmatchedArgumentsAllowed(false)
                .setOverwrittenOptionsAllowed(false);
    }

    private static String name(ArgSpec spec) {
        return spec instanceof OptionSpec option ? option.longestName() : spec.paramLabel();
    }
}
