package dev.thaw.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a host command to completion with a time limit.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>The child's standard input is empty (closed at once); its standard output and error are
 *       read concurrently, in full, so a command writing a lot to either cannot block on a full
 *       pipe. Both are decoded as UTF-8 (malformed bytes become U+FFFD).
 *   <li>The child inherits this process's environment plus {@code extraEnv} (which wins), and its
 *       {@code PATH} is extended with {@code /usr/sbin} and {@code /sbin} where missing, since the
 *       tools Thaw needs (debootstrap, mkfs.ext4) live there. A program name without a slash is
 *       looked up on that extended {@code PATH}.
 *   <li>When the time limit passes, the child and all its descendants
 *       ({@link ProcessHandle#descendants()}) get SIGTERM, then SIGKILL after a 10 s grace
 *       period, and are waited for before an
 *       {@link IOException} is thrown; the same happens, with an {@link InterruptedIOException},
 *       when the calling thread is interrupted.
 * </ul>
 */
public final class ExternalCommand {

    /** Directories appended to the child's {@code PATH} when missing from it. */
    static final List<String> EXTRA_PATH = List.of("/usr/sbin", "/sbin");

    /** How many trailing lines of standard error an error message quotes. */
    static final int STDERR_TAIL_LINES = 20;

    private static final Duration TERM_GRACE = Duration.ofSeconds(10);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private ExternalCommand() {}

    /**
     * What a finished command left behind.
     *
     * @param exitCode the process's exit status (128 + n when killed by signal n, as a shell reports it)
     * @param stdout everything written to standard output
     * @param stderr everything written to standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {
        public Result {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }

        /** Whether the command exited with status 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code command} in {@code workDir} and returns its exit status and output, whatever the
     * status.
     *
     * @param command the program and its arguments; not empty
     * @param workDir the child's working directory, or {@code null} for this process's
     * @param timeout the most the command may run; positive
     * @param extraEnv variables to set (or override) in the child's environment
     * @throws IOException if the program cannot be started, or ran past {@code timeout} (the
     *     message names the command, the limit and the tail of its standard error)
     * @throws InterruptedIOException if this thread was interrupted while waiting (the process
     *     tree is killed first and the interrupt flag is kept)
     */
    public static Result run(List<String> command, Path workDir, Duration timeout, Map<String, String> extraEnv)
            throws IOException {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(extraEnv, "extraEnv");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        ProcessBuilder builder = new ProcessBuilder();
        Map<String, String> env = builder.environment();
        env.putAll(extraEnv);
        env.put("PATH", extendedPath(env.get("PATH")));
        List<String> argv = new ArrayList<>(command);
        argv.set(0, resolveProgram(command.getFirst(), env.get("PATH")));
        builder.command(argv);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);

        Process process;
        try {
            process = OwnedProcesses.start(builder, OwnedProcesses.CreatedFiles.INHERITED);
        } catch (IOException e) {
            throw new IOException("cannot start " + describe(command)
                    + (workDir == null ? "" : " in " + workDir) + ": " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        CompletableFuture<byte[]> stdout = drain(process.getInputStream());
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
        boolean exited;
        try {
            exited = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            destroyTree(process);
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted =
                    new InterruptedIOException("interrupted while waiting for " + describe(command) + "; killed it");
            interrupted.initCause(e);
            throw interrupted;
        }
        if (!exited) {
            destroyTree(process);
            String err = collect(stderr, command);
            throw new IOException(describe(command) + " did not finish within " + format(timeout)
                    + " and was killed" + stderrTail(err));
        }
        return new Result(process.exitValue(), collect(stdout, command), collect(stderr, command));
    }

    /**
     * Like {@link #run} but also fails when the command exits with a non-zero status.
     *
     * @return the result, whose {@code exitCode} is 0
     * @throws IOException if the command cannot be started, times out or exits with a non-zero
     *     status; the message contains the command, the status and the last
     *     {@value #STDERR_TAIL_LINES} lines of its standard error (of its standard output when
     *     it wrote nothing to standard error)
     */
    public static Result runChecked(List<String> command, Path workDir, Duration timeout, Map<String, String> extraEnv)
            throws IOException {
        Result result = run(command, workDir, timeout, extraEnv);
        if (!result.succeeded()) {
            throw new IOException(describe(command) + " failed with exit status " + result.exitCode()
                    + stderrTail(result.stderr().isBlank() ? result.stdout() : result.stderr()));
        }
        return result;
    }

    /** {@link #runChecked} with no working directory and no extra environment. */
    public static Result runChecked(List<String> command, Duration timeout) throws IOException {
        return runChecked(command, null, timeout, Map.of());
    }

    /**
     * Whether {@code program} can be run: an executable file at that path if it contains a slash,
     * else an executable file of that name on this process's {@code PATH} extended with
     * {@code /usr/sbin} and {@code /sbin}.
     */
    public static boolean onPath(String program) {
        return which(program).isPresent();
    }

    /** Where {@link #onPath} finds {@code program}, if anywhere. */
    public static Optional<Path> which(String program) {
        return which(program, extendedPath(System.getenv("PATH")));
    }

    /** The last {@code maxLines} non-empty lines of {@code text}, joined by newlines. */
    public static String lastLines(String text, int maxLines) {
        List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    }

    /** The command as one shell-like line, for messages. */
    static String describe(List<String> command) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            out.append(i == 0 ? "" : " ");
            out.append(arg.isEmpty() || arg.chars().anyMatch(c -> c == ' ' || c == '\'' || c == '"')
                    ? '"' + arg + '"' : arg);
        }
        return out.append('\'').toString();
    }

    static String extendedPath(String path) {
        Set<String> dirs = new LinkedHashSet<>();
        if (path != null && !path.isEmpty()) {
            dirs.addAll(Arrays.asList(path.split(File.pathSeparator)));
        }
        dirs.addAll(EXTRA_PATH);
        dirs.remove("");
        return String.join(File.pathSeparator, dirs);
    }

    private static Optional<Path> which(String program, String path) {
        if (program == null || program.isEmpty()) {
            return Optional.empty();
        }
        if (program.contains("/")) {
            Path file = Path.of(program);
            return Files.isRegularFile(file) && Files.isExecutable(file) ? Optional.of(file) : Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path file = Path.of(dir, program);
            if (Files.isRegularFile(file) && Files.isExecutable(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    // ProcessBuilder looks a bare name up on the JVM's own PATH, not the child's; resolve it here
    // so that the extended PATH applies to the program itself too.
    private static String resolveProgram(String program, String path) throws IOException {
        if (program.contains("/")) {
            return program;
        }
        String debianPackage = HostCommands.packageOf(program).orElseThrow(() -> new IOException(
                "cannot run '" + program + "': not a host command Thaw declares (dev.thaw.sandbox.HostCommands"
                        + " and scripts/install-host-deps.sh list them)"));
        return which(program, path)
                .map(Path::toString)
                .orElseThrow(() -> new IOException("cannot run '" + program + "': not found on PATH (" + path
                        + "); install " + (HostCommands.optional().containsKey(program) ? debianPackage
                        : "the Debian package " + debianPackage + " (scripts/install-host-deps.sh does)")));
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        Thread.ofVirtual().name("external-command-reader").start(() -> {
            try (stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                stream.transferTo(buffer);
                bytes.complete(buffer.toByteArray());
            } catch (IOException | RuntimeException e) {
                bytes.completeExceptionally(e);
            }
        });
        return bytes;
    }

    private static String collect(CompletableFuture<byte[]> output, List<String> command) throws IOException {
        try {
            // The pipe closes when the last process holding it exits; after a kill that is quick,
            // but a daemon that escaped the process tree could keep it open, so do not wait forever.
            return new String(output.get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted =
                    new InterruptedIOException("interrupted while reading the output of " + describe(command));
            interrupted.initCause(e);
            throw interrupted;
        } catch (TimeoutException e) {
            return "(output not available: a process outside the command's tree kept its pipe open)";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException("cannot read the output of " + describe(command) + ": " + io.getMessage(), io);
            }
            throw new UncheckedIOException(new IOException("reading the output of " + describe(command) + " failed", cause));
        }
    }

    /**
     * Ends the process and every descendant: SIGTERM to all (snapshotted first, since children
     * get re-parented once their parent dies), so that scripts can run their exit traps (debootstrap
     * unmounts what it mounted), then SIGKILL to whatever is left after a grace period; waits for
     * all of them.
     */
    private static void destroyTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.addFirst(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        if (!awaitExit(tree, TERM_GRACE)) {
            tree.addAll(process.descendants().filter(p -> !tree.contains(p)).toList());
            tree.forEach(ProcessHandle::destroyForcibly);
            awaitExit(tree, KILL_WAIT);
        }
    }

    /** Whether every process in {@code processes} exited within {@code limit}. */
    private static boolean awaitExit(List<ProcessHandle> processes, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (ProcessHandle handle : processes) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return !processes.stream().anyMatch(ProcessHandle::isAlive);
            }
            try {
                handle.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        }
        return true;
    }

    private static String stderrTail(String stderr) {
        String tail = lastLines(stderr, STDERR_TAIL_LINES);
        return tail.isEmpty() ? " (no error output)" : ":\n" + tail;
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
