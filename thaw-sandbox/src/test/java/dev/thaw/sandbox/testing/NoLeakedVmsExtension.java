package dev.thaw.sandbox.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves behind a QEMU process started by this JVM, a
 * file or socket under the test run directory, or a {@code thaw*} temporary
 * directory. Leaked processes are killed so they cannot spoil later classes.
 */
public final class NoLeakedVmsExtension implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeakedVmsExtension.class);

    private record Baseline(Set<Long> qemuPids, Set<Path> runFiles, Set<Path> tempDirs) {
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        context.getStore(NS).put("baseline", new Baseline(qemuPids(), runFiles(), tempDirs()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        Baseline before = context.getStore(NS).get("baseline", Baseline.class);
        List<String> leaks = new ArrayList<>();
        for (long pid : qemuPids()) {
            if (!before.qemuPids().contains(pid)) {
                leaks.add("QEMU process " + pid + " still running");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (Path file : runFiles()) {
            if (!before.runFiles().contains(file)) {
                leaks.add("left in the run directory: " + file);
            }
        }
        for (Path dir : tempDirs()) {
            if (!before.tempDirs().contains(dir)) {
                leaks.add("temporary directory left: " + dir);
            }
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " leaked:\n  " + String.join("\n  ", leaks));
        }
    }

    private static Set<Long> qemuPids() {
        try (Stream<ProcessHandle> children = ProcessHandle.current().descendants()) {
            return children.filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("qemu-system")).orElse(false))
                    .map(ProcessHandle::pid)
                    .collect(Collectors.toSet());
        }
    }

    private static Set<Path> runFiles() throws IOException {
        Path root = TestGuests.runRoot();
        if (!Files.isDirectory(root)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            // the accelerator verdict lives beside the run root, not in it
            return files.filter(p -> !p.equals(root)).collect(Collectors.toSet());
        }
    }

    private static Set<Path> tempDirs() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("thaw")).collect(Collectors.toSet());
        }
    }
}
