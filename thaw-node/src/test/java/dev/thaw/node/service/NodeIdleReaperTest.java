package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.MachineShape;
import dev.thaw.node.SnapshotMode;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.StartRequest;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.testkit.FakeClock;
import dev.thaw.testkit.InMemoryDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node stops an instance no gateway stopped once it is idle past its keep-alive plus the grace, by its clock. */
class NodeIdleReaperTest {
    @TempDir
    Path tmp;

    @Test
    void anIdleInstanceIsStoppedPastKeepAlivePlusGraceAndABusyOneIsNot() throws Exception {
        ThawHome home = new ThawHome(tmp.resolve("home"));
        Path layer = Files.createDirectories(home.images()).resolve("layer");
        Files.createDirectories(home.bases());
        Files.writeString(layer, "image");
        GuestKernel kernel = new GuestKernel("in-memory", home.root().resolve("vmlinuz"),
                home.root().resolve("initramfs"), "kernel");
        FakeClock clock = new FakeClock();
        InMemoryDriver driver = new InMemoryDriver("n1", clock);
        NodeServiceConfig config = NodeServiceConfig.defaults("n1", "token", tmp.resolve("work"), home.root())
                .withMode(SnapshotMode.DISABLED);
        try (NodeService node = NodeService.open(config, kernel, driver, clock)) {
            node.deploy("echo", "r1", new DeploymentSpec("echo", "r1", MachineShape.DEFAULT, 5_000, 5_000, "kernel",
                    List.of("layer"), List.of(layer.toString())));
            String idle = node.start(new StartRequest("echo", "r1", 1_000L)).id();
            String used = node.start(new StartRequest("echo", "r1", 1_000L)).id();
            assertThat(node.status(java.net.URI.create("http://127.0.0.1:1/")).at())
                    .isEqualTo(FakeClock.START);

            clock.advance(Duration.ofSeconds(1).plus(NodeService.IDLE_GRACE));
            node.invoke(used, new byte[0], java.util.Optional.empty()); // used just now: its idle time starts again
            assertThat(node.reapIdle()).isEmpty();

            clock.advanceMillis(1);
            assertThat(node.reapIdle()).containsExactly(idle);
            assertThat(driver.openSandboxes()).containsExactly(used);
            assertThat(node.instanceCount()).isEqualTo(1);
            assertThat(node.freeSlots()).isEqualTo(config.slots() - 1);
        }
        assertThat(driver.openSandboxes()).isEmpty();
    }
}
