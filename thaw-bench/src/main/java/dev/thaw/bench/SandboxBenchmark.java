package dev.thaw.bench;

import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.SandboxDriver;
import dev.thaw.sandbox.SandboxException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold boot versus restore, on one function in one run: boot to first response,
 * restore to first response into a newly started VMM, and restore to first
 * response from a pre-started VMM. Every sample is a new sandbox, stopped after
 * its first response. Given a second driver that does not confine its VMMs, both
 * restore modes are also measured on it, sample for sample in turn with the
 * confined driver, so the cost of confinement shows side by side.
 */
public final class SandboxBenchmark {
    private static final Duration INVOKE_TIMEOUT = Duration.ofSeconds(30);
    /** Lets the pool's background refill finish so a pooled sample never waits for it. */
    private static final Duration POOL_SETTLE = Duration.ofMillis(1500);

    private final SandboxDriver driver;
    private final SandboxDriver unconfined;
    private final BootSpec spec;
    private final byte[] body;

    public SandboxBenchmark(SandboxDriver driver, BootSpec spec, byte[] body) {
        this(driver, null, spec, body);
    }

    /** @param unconfined a driver whose VMMs are not confined, or null to measure only {@code driver} */
    public SandboxBenchmark(SandboxDriver driver, SandboxDriver unconfined, BootSpec spec, byte[] body) {
        this.driver = driver;
        this.unconfined = unconfined;
        this.spec = spec;
        this.body = body.clone();
    }

    /**
     * Measured times in ms, per mode: "boot", "restore", "restore_pooled", and with an unconfined
     * driver also "restore_unconfined" and "restore_pooled_unconfined". Each restore mode also has
     * a "..._host" entry: its host side alone (getting the VMM and loading device state, without the
     * guest's reseed and first response), which guest emulation speed does not blur.
     */
    public record Result(String function, String accelerator, int runs, Map<String, Percentiles> modes,
            double snapshotMs, long memoryBytes, long memoryDataBytes) {

        public double ratio(String over, String under) {
            return modes.get(over).p50() / modes.get(under).p50();
        }
    }

    public Result run(int runs, Path workDir) throws SandboxException, IOException, InterruptedException {
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        List<Double> boot = new ArrayList<>();
        LocalSnapshot snapshot = null;
        double snapshotMs = 0;
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            try (Sandbox sandbox = driver.boot(spec)) {
                firstResponse(sandbox);
                boot.add(ms(started));
                if (snapshot == null) {
                    long snapStarted = System.nanoTime();
                    snapshot = sandbox.snapshot(workDir.resolve("snapshot"));
                    snapshotMs = ms(snapStarted);
                }
            }
        }
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            restoreOnce(driver, snapshot, "restore", samples);
            if (unconfined != null) {
                restoreOnce(unconfined, snapshot, "restore_unconfined", samples);
            }
        }
        driver.prestart(spec, snapshot, 1);
        try {
            if (unconfined != null) {
                unconfined.prestart(spec, snapshot, 1);
            }
            for (int i = 0; i < runs; i++) {
                Thread.sleep(POOL_SETTLE.toMillis());
                restoreOnce(driver, snapshot, "restore_pooled", samples);
                if (unconfined != null) {
                    restoreOnce(unconfined, snapshot, "restore_pooled_unconfined", samples);
                }
            }
        } finally {
            driver.prestart(spec, snapshot, 0);
            if (unconfined != null) {
                unconfined.prestart(spec, snapshot, 0);
            }
        }
        Map<String, Percentiles> modes = new LinkedHashMap<>();
        modes.put("boot", Percentiles.of(boot));
        for (String mode : List.of("restore", "restore_pooled", "restore_unconfined", "restore_pooled_unconfined",
                "restore_host", "restore_pooled_host", "restore_unconfined_host", "restore_pooled_unconfined_host")) {
            if (samples.containsKey(mode)) {
                modes.put(mode, Percentiles.of(samples.get(mode)));
            }
        }
        long dataBytes = allocatedBytes(snapshot.memory());
        return new Result(spec.function(), driver.info().accelerator(), runs, modes, snapshotMs,
                Files.size(snapshot.memory()), dataBytes);
    }

    private void restoreOnce(SandboxDriver on, LocalSnapshot snapshot, String mode, Map<String, List<Double>> samples)
            throws SandboxException {
        long started = System.nanoTime();
        try (Sandbox sandbox = on.restore(spec, snapshot)) {
            firstResponse(sandbox);
            double total = ms(started);
            samples.computeIfAbsent(mode, m -> new ArrayList<>()).add(total);
            samples.computeIfAbsent(mode + "_host", m -> new ArrayList<>())
                    .add(sandbox.start().vmmMs() + sandbox.start().loadMs());
        }
    }

    private void firstResponse(Sandbox sandbox) throws SandboxException {
        InvocationResult result = sandbox.invoke(body, INVOKE_TIMEOUT);
        if (!result.ok()) {
            throw new SandboxException("the benchmark's invocation failed: " + result.error() + "\n"
                    + new String(result.body(), StandardCharsets.UTF_8));
        }
    }

    /** Bytes the file occupies on disk (zero pages are holes); Java has no portable attribute for it. */
    private static long allocatedBytes(Path file) throws IOException {
        var result = dev.thaw.sandbox.ExternalCommand.runChecked(List.of("stat", "-c", "%b %B", file.toString()),
                Duration.ofSeconds(10));
        String[] fields = result.stdout().strip().split(" ");
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }

    private static double ms(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e6;
    }
}
