package dev.thaw.sandbox.image;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds and removes mounts left inside a work directory. debootstrap mounts {@code proc} and
 * {@code sysfs} in its target and unmounts them when it exits normally; if it is killed, they
 * stay, and must go before the tree can be deleted.
 */
final class Mounts {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Logger LOG = System.getLogger(Mounts.class.getName());

    private Mounts() {}

    /** Mount points strictly inside {@code dir}, deepest first; empty where mountinfo is unavailable. */
    static List<Path> under(Path dir) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        Path root = dir.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            Path mountPoint = Path.of(unescape(fields[4]));
            if (mountPoint.startsWith(root) && !mountPoint.equals(root)) {
                found.add(mountPoint);
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    /** Lazily unmounts everything mounted inside {@code dir}; failures are logged (deletion then refuses). */
    static void unmountUnder(Path dir) throws IOException {
        for (Path mountPoint : under(dir)) {
            ExternalCommand.Result result = ExternalCommand.run(List.of("umount", "-l", mountPoint.toString()), null,
                    Duration.ofSeconds(30), Map.of("LC_ALL", "C"));
            if (result.succeeded()) {
                LOG.log(Level.INFO, "unmounted leftover " + mountPoint);
            } else {
                LOG.log(Level.WARNING, "cannot unmount leftover " + mountPoint + ": " + result.stderr().strip());
            }
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \\ooo. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
