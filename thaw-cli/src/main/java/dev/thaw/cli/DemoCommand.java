package dev.thaw.cli;

import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.sandbox.LocalSnapshot;
import dev.thaw.sandbox.Sandbox;
import dev.thaw.sandbox.StartReport;
import dev.thaw.sandbox.image.FunctionImage;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Boots each example function in a microVM, snapshots it after init, restores clones "
                + "(into a new VMM and from the pre-started pool), invokes every one, and prints what each "
                + "step took.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--examples", defaultValue = "examples", paramLabel = "DIR",
            description = "directory holding the example functions (default: ${DEFAULT-VALUE})")
    Path examples;

    private record Example(String name, String body) {
    }

    private static final List<Example> EXAMPLES = List.of(
            new Example("hello", "thaw"),
            new Example("json-transform",
                    "[{\"customer\":\"ada\",\"sku\":\"ABC-0001\",\"price\":\"9.50\",\"qty\":2},"
                            + "{\"customer\":\"bob\",\"sku\":\"XYZ-0042\",\"price\":\"3.25\",\"qty\":4}]"),
            new Example("thumbnail", ""));

    @Override
    public Integer call() throws Exception {
        try (Workbench bench = new Workbench()) {
            QemuMicrovmDriver driver = bench.driver();
            System.out.printf("QEMU %s, accelerator %s (%s)%n%n", driver.info().version(),
                    driver.info().accelerator(), driver.acceleratorReason());
            System.out.printf("%-15s %-16s %9s %9s %9s %10s  %s%n", "function", "start", "vmm ms", "load ms",
                    "ready ms", "1st resp", "response");
            for (Example example : EXAMPLES) {
                FunctionImage image = bench.image(examples.resolve(example.name()));
                BootSpec spec = bench.spec(image);
                byte[] body = example.body().getBytes(StandardCharsets.UTF_8);
                LocalSnapshot snapshot;
                long started = System.nanoTime();
                try (Sandbox booted = driver.boot(spec)) {
                    row(example.name(), booted, body, started);
                    long snapStarted = System.nanoTime();
                    snapshot = booted.snapshot(bench.scratch("demo").resolve(example.name()));
                    System.out.printf("%-15s %-16s %.0f ms (init %.0f ms in the guest)%n", "", "snapshot",
                            (System.nanoTime() - snapStarted) / 1e6, snapshot.info().initMs());
                }
                started = System.nanoTime();
                try (Sandbox clone = driver.restore(spec, snapshot)) {
                    row("", clone, body, started);
                }
                driver.prestart(spec, snapshot, 1);
                Thread.sleep(1500);
                started = System.nanoTime();
                try (Sandbox clone = driver.restore(spec, snapshot)) {
                    row("", clone, body, started);
                }
                driver.prestart(spec, snapshot, 0);
            }
            return 0;
        }
    }

    private static void row(String name, Sandbox sandbox, byte[] body, long startedNanos) throws Exception {
        InvocationResult result = sandbox.invoke(body, TIMEOUT);
        double firstResponse = (System.nanoTime() - startedNanos) / 1e6;
        StartReport start = sandbox.start();
        String shown = result.ok() ? summarize(result) : "ERROR " + result.error();
        System.out.printf("%-15s %-16s %9.1f %9.1f %9.1f %10.1f  %s%n", name,
                start.kind().name().toLowerCase(java.util.Locale.ROOT), start.vmmMs(), start.loadMs(),
                start.resumeMs(), firstResponse, shown);
    }

    private static String summarize(InvocationResult result) {
        byte[] body = result.body();
        if (body.length > 4 && body[1] == 'P' && body[2] == 'N' && body[3] == 'G') {
            return "PNG image, " + body.length + " bytes";
        }
        String text = result.bodyText();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
