package dev.thaw.local;

import dev.thaw.sandbox.OwnedProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node agent running as its own process ({@code dev.thaw.node.service.NodeMain}
 * on this JVM's class path), as {@code thaw up} and the cluster tests start
 * them. Owns the process: {@link #close()} stops it (SIGTERM, then SIGKILL), and
 * the node stops its VMs on the way out.
 */
public final class NodeProcess implements AutoCloseable {
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");
    private static final Pattern READY = Pattern.compile("^thaw-node (\\S+) listening on (\\S+)$");

    private final String name;
    private final Process process;
    private final URI url;
    private final Path log;

    private NodeProcess(String name, Process process, URI url, Path log) {
        this.name = name;
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /**
     * Starts a node and waits until it listens.
     *
     * @param arguments NodeMain's arguments ({@code --name=...} among them)
     * @param environment added to this process's environment (tokens, S3 credentials)
     * @param log where the node's output goes once it is up
     */
    public static NodeProcess start(String name, List<String> arguments, Map<String, String> environment, Path log,
            Duration startTimeout) throws IOException {
        List<String> command = new ArrayList<>(privateMounts());
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), "dev.thaw.node.service.NodeMain"));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = OwnedProcesses.start(builder, OwnedProcesses.CreatedFiles.INHERITED);
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("node-output-" + name).start(() -> pump(process, log, ready));
        try {
            URI url = ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new NodeProcess(name, process, url, log);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = e instanceof TimeoutException ? "did not listen within " + startTimeout.toSeconds() + " s"
                    : e.getCause() != null ? e.getCause().getMessage() : e.toString();
            throw new IOException("node " + name + " " + why + "; its output is in " + log, e);
        }
    }

    /**
     * As root, the node runs in a mount namespace of its own ({@code unshare --mount}, which execs
     * the node in place, so its pid and death signal stay), so the FUSE mount its lazy restores use
     * goes away with it even when it is killed with SIGKILL; otherwise a dead mount would outlive it.
     */
    private static List<String> privateMounts() {
        try {
            int uid = (Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (uid == 0 && java.nio.file.Files.isExecutable(UNSHARE)) {
                return List.of(UNSHARE.toString(), "--mount", "--propagation", "private", "--");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not Linux, or /proc unreadable: the node runs in this namespace and detaches stale mounts itself.
        }
        return List.of();
    }

    /** Copies the node's output to its log, completing {@code ready} at its listening line. */
    private static void pump(Process process, Path log, CompletableFuture<URI> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
                var out = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                Matcher matcher = READY.matcher(line.strip());
                if (!ready.isDone() && matcher.matches()) {
                    ready.complete(URI.create(matcher.group(2)));
                }
            }
            ready.completeExceptionally(new IOException("exited with status " + process.waitFor()));
        } catch (IOException | InterruptedException e) {
            ready.completeExceptionally(e);
        }
    }

    public String name() {
        return name;
    }

    public URI url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the node without letting it clean up, as a crashed host would (its VMs die with it only if killed too). */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitQuietly(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitQuietly(Duration.ofSeconds(20))) {
            kill();
        }
    }

    private boolean waitQuietly(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
