package dev.thaw.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.api.MachineShape;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxException;
import dev.thaw.sandbox.StartKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryDriverTest {
    @TempDir
    Path tmp;

    private static BootSpec spec(String function, String revision) {
        return new BootSpec(function, revision, MachineShape.DEFAULT, Path.of("vmlinuz"), Path.of("initramfs"),
                "kernel-digest", List.of(Path.of("layer")), List.of("layer-digest"), Duration.ofSeconds(5));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bootSnapshotRestoreAndCloneBehaveAsTheDriverContractSays() throws Exception {
        FakeClock clock = new FakeClock();
        try (InMemoryDriver driver = new InMemoryDriver("n1", clock)) {
            Sandbox booted = driver.boot(spec("echo", "r1"));
            assertThat(booted.start().kind()).isEqualTo(StartKind.BOOT);
            assertThat(booted.invoke(bytes("hi"), Duration.ofSeconds(1)).bodyText()).isEqualTo("echo:hi");

            LocalSnapshot snapshot = booted.snapshot(tmp.resolve("snap"));
            assertThat(LocalSnapshot.open(tmp.resolve("snap")).info()).isEqualTo(snapshot.info());
            assertThat(snapshot.info().createdAt()).isEqualTo(FakeClock.START);
            assertThat(snapshot.info().driver()).isEqualTo(InMemoryDriver.NAME);
            assertThatThrownBy(() -> booted.snapshot(tmp.resolve("snap"))).isInstanceOf(SandboxException.class)
                    .hasMessageContaining("already exists");

            Sandbox restored = driver.restore(spec("echo", "r1"), snapshot);
            assertThat(restored.start().kind()).isEqualTo(StartKind.RESTORE);
            driver.prestart(spec("echo", "r1"), snapshot, 2);
            Sandbox cloned = driver.restore(spec("echo", "r1"), snapshot);
            assertThat(cloned.start().kind()).isEqualTo(StartKind.RESTORE_POOLED);
            assertThat(cloned.invoke(bytes("x"), Duration.ofSeconds(1)).ok()).isTrue();
            assertThatThrownBy(() -> driver.restore(spec("echo", "r2"), snapshot))
                    .isInstanceOf(SandboxException.class).hasMessageContaining("revision");

            assertThat(List.of(driver.boots(), driver.restores(), driver.clones())).containsExactly(1, 1, 1);
            assertThat(driver.openSandboxes()).hasSize(3);
            booted.close();
            booted.close();
            assertThat(driver.stopped()).isEqualTo(1);
            assertThatThrownBy(() -> booted.invoke(bytes("x"), Duration.ofSeconds(1)))
                    .isInstanceOf(SandboxException.class).hasMessageContaining("stopped");
        }
    }

    @Test
    void injectedFailuresLookLikeAGuestsFailures() throws Exception {
        try (InMemoryDriver driver = new InMemoryDriver("n1")) {
            driver.failNextStarts(1);
            assertThatThrownBy(() -> driver.boot(spec("echo", "r1"))).isInstanceOf(SandboxException.class)
                    .hasMessageContaining("injected");
            Sandbox sandbox = driver.boot(spec("echo", "r1"));

            driver.failInvocations("the agent hung up");
            assertThatThrownBy(() -> sandbox.invoke(bytes("x"), Duration.ofSeconds(1)))
                    .hasMessageContaining("the agent hung up");
            assertThat(sandbox.isAlive()).isTrue();
            driver.failInvocations(null);

            driver.kill(sandbox.id(), "guest kernel panic");
            assertThat(sandbox.isAlive()).isFalse();
            assertThat(sandbox.deathReason()).contains("guest kernel panic");
            assertThatThrownBy(() -> sandbox.invoke(bytes("x"), Duration.ofSeconds(1)))
                    .hasMessageContaining("died: guest kernel panic");
            assertThatThrownBy(() -> sandbox.snapshot(Path.of("unused"))).isInstanceOf(SandboxException.class);

            driver.stopPrestarting();
            assertThatThrownBy(() -> driver.prestart(spec("echo", "r1"), null, 1))
                    .isInstanceOf(SandboxException.class);
        }
    }

    @Test
    void heldInvocationsStayInFlightUntilReleasedOrTimedOut() throws Exception {
        try (InMemoryDriver driver = new InMemoryDriver("n1")) {
            Sandbox a = driver.boot(spec("echo", "r1"));
            Sandbox b = driver.boot(spec("echo", "r1"));
            driver.holdInvocations();
            InvocationResult timedOut = b.invoke(bytes("late"), Duration.ofMillis(1));
            assertThat(timedOut.outcome()).isEqualTo(InvocationResult.Outcome.TIMEOUT);
            CompletableFuture<InvocationResult> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.invoke(bytes("held"), Duration.ofMinutes(1));
                } catch (SandboxException e) {
                    throw new IllegalStateException(e);
                }
            });
            org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
                    .until(() -> driver.invocationsInFlight() == 1);
            assertThat(held).isNotDone();
            driver.releaseInvocations();
            assertThat(held.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("echo:held");
            assertThat(driver.invocationsInFlight()).isZero();
        }
    }

    @Test
    void closeStopsEverySandboxAndRefusesNewOnes() throws Exception {
        InMemoryDriver driver = new InMemoryDriver("n1");
        Sandbox sandbox = driver.boot(spec("echo", "r1"));
        driver.close();
        assertThat(sandbox.isAlive()).isFalse();
        assertThat(driver.openSandboxes()).isEmpty();
        assertThatThrownBy(() -> driver.boot(spec("echo", "r1"))).hasMessageContaining("closed");
        assertThat(Files.list(tmp)).isEmpty();
    }

    @Test
    void theFakeClockMovesOnlyWhenTold() {
        FakeClock clock = new FakeClock();
        assertThat(clock.instant()).isEqualTo(FakeClock.START);
        long before = clock.nanoTime();
        assertThat(clock.advance(Duration.ofMillis(1500))).isEqualTo(FakeClock.START.plusMillis(1500));
        assertThat(clock.nanoTime() - before).isEqualTo(1_500_000_000L);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
