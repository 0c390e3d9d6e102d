package dev.thaw.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Starts child processes that die with this JVM, also when it is killed with SIGKILL and runs no
 * shutdown hook: every child gets {@code PR_SET_PDEATHSIG} = SIGKILL before it runs its program.
 *
 * <p>How: the command is wrapped as {@code setpriv --pdeathsig KILL -- sh -c '...' owner-pid cmd...}.
 * {@code setpriv} (util-linux) sets the death signal and execs a shell that checks that its parent is
 * still this JVM (if the JVM died before the signal was armed, the child was re-parented and quits)
 * and then execs the program, so the pid stays the one {@link Process#pid()} reports.
 *
 * <p>Linux sends the death signal when the <em>thread</em> that forked the child exits, not the
 * process. Pool threads and the carriers of virtual threads come and go, so every child is forked
 * by one platform thread that lives as long as the JVM.
 */
public final class OwnedProcesses {
    /** Exit status of a child whose owner died before the child could start. */
    public static final int OWNER_GONE = 125;

    private static final String SETPRIV = "/usr/bin/setpriv";
    private static final String SHELL = "/bin/sh";
    // $1: the owner's pid, $2: the umask; then the program and its arguments.
    private static final String TRAMPOLINE = "[ \"$PPID\" = \"$1\" ] || exit " + OWNER_GONE
            + "; [ -z \"$2\" ] || umask \"$2\"; shift 2; exec \"$@\"";

    private record SpawnRequest(ProcessBuilder builder, CompletableFuture<Process> result) {
    }

    private static final LinkedBlockingQueue<SpawnRequest> REQUESTS = new LinkedBlockingQueue<>();

    static {
        Thread.ofPlatform().daemon().name("thaw-process-spawner").start(OwnedProcesses::spawnLoop);
    }

    private OwnedProcesses() {
    }

    /** Who may read the files a child creates. */
    public enum CreatedFiles {
        /** The JVM's own umask: for tools whose output others must read (root file systems, images). */
        INHERITED,
        /** umask 077: every file the child creates is readable by its owner only (guest memory, logs). */
        PRIVATE
    }

    /**
     * Starts {@code builder}'s command as a child that dies with this JVM.
     *
     * @throws IOException if {@code setpriv} is missing or the program cannot be started
     */
    public static Process start(ProcessBuilder builder, CreatedFiles files) throws IOException {
        requireSetpriv();
        List<String> original = List.copyOf(builder.command());
        if (original.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        // The shell would report a missing program only as exit status 127; say it here instead.
        String program = original.getFirst();
        if (program.contains("/") && !Files.isExecutable(Path.of(program))) {
            throw new IOException("cannot run " + program + ": no such executable file");
        }
        List<String> wrapped = new ArrayList<>(List.of(SETPRIV, "--pdeathsig", "KILL", "--", SHELL, "-c", TRAMPOLINE,
                "thaw-owned", Long.toString(ProcessHandle.current().pid()),
                files == CreatedFiles.PRIVATE ? "077" : ""));
        wrapped.addAll(original);
        builder.command(wrapped);
        SpawnRequest request = new SpawnRequest(builder, new CompletableFuture<>());
        try {
            REQUESTS.put(request);
            return request.result().get();
        } catch (InterruptedException e) {
            // the spawn goes ahead; whatever it starts is ours to stop
            request.result().thenAccept(Process::destroyForcibly);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting " + original.getFirst());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        } finally {
            builder.command(original);
        }
    }

    /** The commands this class runs for every child, for the list of host programs Thaw needs. */
    public static List<String> hostCommands() {
        return List.of("setpriv", "sh");
    }

    private static void spawnLoop() {
        while (true) {
            SpawnRequest request;
            try {
                request = REQUESTS.take();
            } catch (InterruptedException e) {
                continue; // this thread must outlive every child it forked
            }
            try {
                request.result().complete(request.builder().start());
            } catch (Throwable e) {
                request.result().completeExceptionally(e);
            }
        }
    }

    private static void requireSetpriv() throws IOException {
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            throw new IOException(SETPRIV + " is missing: install Debian's util-linux package"
                    + " (scripts/install-host-deps.sh does)");
        }
    }
}
