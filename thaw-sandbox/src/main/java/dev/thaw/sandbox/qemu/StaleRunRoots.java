package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Removes run directories left on {@code /dev/shm} by Thaw processes that died
 * without cleaning up (a killed node, a crashed CLI). Their guest memory files
 * would otherwise hold RAM until reboot. A run root is named
 * {@code <kind>-...-<pid>}; one whose process is gone is stale.
 */
public final class StaleRunRoots {
    /** Where nodes and the CLI keep their run roots: tmpfs, so guest memory never reaches a disk. */
    public static final Path PARENT = Path.of("/dev/shm", "thaw");

    private static final Pattern OWNED = Pattern.compile("^(?:node|cli)-(?:.*-)?([0-9]+)$");

    private StaleRunRoots() {
    }

    /** The run root of node {@code node} in process {@code pid}. */
    public static Path forNode(String node, long pid) {
        return PARENT.resolve("node-" + node + "-" + pid);
    }

    /** Deletes the run roots under {@link #PARENT} whose process is gone; returns how many. */
    public static int sweep() {
        return sweepUnder(PARENT, null);
    }

    /** Deletes stale siblings of {@code runRoot}; returns how many. Never touches a live process's directory. */
    static int sweep(Path runRoot) {
        Path parent = runRoot.toAbsolutePath().getParent();
        return parent == null ? 0 : sweepUnder(parent, runRoot.toAbsolutePath());
    }

    private static int sweepUnder(Path parent, Path keep) {
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path dir : siblings.filter(Files::isDirectory).toList()) {
                Matcher m = OWNED.matcher(dir.getFileName().toString());
                if (!m.matches() || dir.equals(keep)) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                FileTrees.deleteQuietly(dir);
                removed++;
            }
        } catch (IOException | RuntimeException e) {
            // a sweep that fails leaves things as they were; the next start tries again
        }
        return removed;
    }
}
