package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.sandbox.testing.TestGuests;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent as its own process, as {@code thaw up} starts it. */
class NodeMainTest {
    private static final Pattern READY = Pattern.compile("thaw-node node-main listening on (http://\\S+)");

    @Test
    void nodeProcessServesThenStopsOnSigterm(@TempDir Path work) throws Exception {
        Process process = java("--name=node-main", "--listen=127.0.0.1:0", "--mode=disabled",
                "--work-dir=" + work, "--thaw-home=" + TestGuests.home().root());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("the ready line").isNotNull().matches(READY);
            Matcher ready = READY.matcher(line);
            assertThat(ready.matches()).isTrue();
            URI url = URI.create(ready.group(1));

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(url.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
            assertThat(http.send(HttpRequest.newBuilder(url.resolve("/v1/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(url.resolve("/v1/status"))
                    .header("Authorization", "Bearer t0ken").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(status.body()).contains("\"node\":\"node-main\"", "\"mode\":\"disabled\"");

            process.destroy(); // SIGTERM: the shutdown hook stops the node
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            assertThat(process.exitValue()).as("killed by SIGTERM after a clean shutdown").isEqualTo(143);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void badArgumentsExitWith2AndOneLine() throws Exception {
        Process process = java("--name=node-main", "--slots=none");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(err.lines().filter(l -> l.startsWith("thaw-node:")).toList())
                .containsExactly("thaw-node: --slots needs a number from 1 to 100000, got 'none'");
        assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    }

    private static Process java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NodeMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put(NodeArguments.TOKEN_ENV, "t0ken");
        return builder.start();
    }
}
