package dev.thaw.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.sandbox.testing.TestGuests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started by the launcher carries its token in the environment, never on its command line. */
class NodeProcessSecretsTest {
    private static final String TOKEN = "node-token-that-must-not-show-in-ps";

    @Test
    void theTokenIsNotOnTheCommandLine(@TempDir Path work) throws Exception {
        try (NodeProcess node = NodeProcess.start("np-secret", List.of("--name=np-secret", "--listen=127.0.0.1:0",
                "--mode=disabled", "--work-dir=" + work.resolve("node"), "--thaw-home=" + TestGuests.home().root()),
                Map.of("THAW_NODE_TOKEN", TOKEN), work.resolve("node.log"), Duration.ofSeconds(120))) {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(node.pid()), "cmdline"),
                    StandardCharsets.UTF_8).replace('\0', ' ');
            assertThat(cmdline).contains("dev.thaw.node.service.NodeMain", "--name=np-secret")
                    .doesNotContain(TOKEN).doesNotContain("--token");
            assertThat(node.isAlive()).isTrue();
        }
        assertThat(Files.readString(work.resolve("node.log"))).doesNotContain(TOKEN);
    }
}
