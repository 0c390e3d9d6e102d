package dev.thaw.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for the {@code ready ...} line of a process a test started in a JVM of its own, reading its
 * output to the end meanwhile (so it never blocks on a full pipe) and keeping it for failure messages.
 */
final class ReadyLine {
    private ReadyLine() {
    }

    /**
     * @param who names the process in failure messages
     * @param seen receives every line the process prints, also after the ready line
     * @return the ready line
     */
    static String await(Process process, String who, Duration timeout, StringBuffer seen) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("ready ")) {
                        ready.complete(line);
                    }
                    seen.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process is gone
            }
            ready.completeExceptionally(new AssertionError(who + " ended:\n" + seen));
        });
        try {
            return ready.get(timeout.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(who + " was not ready within " + timeout.toSeconds() + " s:\n" + seen);
        }
    }
}
