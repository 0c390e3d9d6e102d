package dev.thaw.cli.packaging;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.mindrot.jbcrypt.BCrypt;

/**
 * Debian's docker-registry (the CNCF distribution registry) on a loopback port, with htpasswd
 * authentication, storing under a directory of the test. Stopped, and waited for, by close.
 */
final class TestRegistry implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;

    private TestRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static boolean available() {
        return ExternalCommand.onPath("docker-registry");
    }

    static TestRegistry start(Path dir, String user, String password) throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dir.resolve("storage"));
        Files.writeString(dir.resolve("htpasswd"), user + ":" + BCrypt.hashpw(password, BCrypt.gensalt(6)) + "\n");
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                auth:
                  htpasswd:
                    realm: thaw-test
                    path: %s
                """.formatted(dir.resolve("storage"), port, dir.resolve("htpasswd")));
        Process process = new ProcessBuilder("docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(process, port);
        try {
            registry.awaitReady(dir);
        } catch (IOException | RuntimeException | InterruptedException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    private void awaitReady(Path dir) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
                }
                try {
                    int status = http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status == 401 || status == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // Not listening yet.
                }
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
        }
        throw new IOException("docker-registry did not answer on " + host() + " within " + START_TIMEOUT);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
