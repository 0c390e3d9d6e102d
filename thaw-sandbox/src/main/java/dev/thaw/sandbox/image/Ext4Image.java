package dev.thaw.sandbox.image;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Makes journal-less ext4 images from a directory tree with {@code mkfs.ext4 -d}, as
 * reproducibly as e2fsprogs allows.
 *
 * <p>Reproducibility: the file-system UUID and directory hash seed are fixed by the caller, and
 * {@code E2FSPROGS_FAKE_TIME} pins the superblock's times. Inode owners and times are copied from
 * the source tree, where they cannot all be controlled (ctime is always "now", reading a file or
 * listing a directory may move its atime, only root can chown), so {@link #normalizeInodes}
 * rewrites them with {@code debugfs} afterwards. mkfs 1.47 adds each directory's entries in name
 * order, whatever order the host file system lists them in. Modes come from the source, so
 * callers set them. With all of that, equal trees give byte-identical images with the same
 * e2fsprogs version and {@code /etc/mke2fs.conf}.
 */
final class Ext4Image {

    /** The time stamped on everything in reproducible images: 2000-01-01T00:00:00Z. */
    static final long FIXED_TIME = 946_684_800L;

    private static final Duration MKFS_TIMEOUT = Duration.ofMinutes(10);
    private static final Map<String, String> FIXED_CLOCK = Map.of("E2FSPROGS_FAKE_TIME", Long.toString(FIXED_TIME));

    private Ext4Image() {}

    /**
     * Runs {@code mkfs.ext4 -q -O ^has_journal -L label -U uuid -E hash_seed=uuid -d source image
     * <sizeMib>M}, creating {@code image}.
     */
    static void create(Path source, Path image, long sizeMib, String label, UUID uuid) throws IOException {
        requireTool("mkfs.ext4");
        ExternalCommand.runChecked(List.of("mkfs.ext4", "-q", "-O", "^has_journal", "-L", label,
                "-U", uuid.toString(), "-E", "hash_seed=" + uuid,
                "-d", source.toString(), image.toString(), sizeMib + "M"), null, MKFS_TIMEOUT, FIXED_CLOCK);
    }

    /**
     * Makes the root, {@code lost+found} and every path of {@code source} inside {@code image}
     * (made from {@code source} by {@link #create}) owned by root, with atime, mtime and ctime
     * {@link #FIXED_TIME}.
     *
     * @param script where to write the debugfs command file
     * @throws IOException if a name cannot be passed to debugfs (contains {@code "} or a control
     *     character) or debugfs reports an error
     */
    static void normalizeInodes(Path source, Path image, Path script) throws IOException {
        requireTool("debugfs");
        List<String> paths = new ArrayList<>(List.of("/", "/lost+found"));
        try (Stream<Path> tree = Files.walk(source)) {
            for (Path path : (Iterable<Path>) tree.skip(1).sorted()::iterator) {
                String inImage = "/" + source.relativize(path).toString().replace('\\', '/');
                if (inImage.chars().anyMatch(c -> c == '"' || c < 0x20 || c == 0x7f)) {
                    throw new IOException("cannot put '" + source.relativize(path) + "' in a guest image:"
                            + " file names must not contain '\"' or control characters");
                }
                paths.add(inImage);
            }
        }
        StringBuilder commands = new StringBuilder();
        for (String path : paths) {
            for (String field : List.of("uid", "gid")) {
                commands.append("set_inode_field \"").append(path).append("\" ").append(field).append(" 0\n");
            }
            for (String field : List.of("atime", "mtime", "ctime")) {
                commands.append("set_inode_field \"").append(path).append("\" ").append(field)
                        .append(" @").append(FIXED_TIME).append('\n');
            }
        }
        Files.writeString(script, commands, StandardCharsets.UTF_8);
        ExternalCommand.Result result = ExternalCommand.runChecked(
                List.of("debugfs", "-w", "-f", script.toString(), image.toString()), null, MKFS_TIMEOUT, FIXED_CLOCK);
        // debugfs exits 0 even when a command fails; its only expected stderr line is its banner.
        List<String> errors = result.stderr().lines()
                .filter(line -> !line.isBlank() && !line.startsWith("debugfs "))
                .toList();
        if (!errors.isEmpty()) {
            throw new IOException("debugfs could not normalize the inodes of " + image + ": "
                    + String.join("; ", errors.subList(0, Math.min(errors.size(), 10))));
        }
    }

    private static void requireTool(String program) throws IOException {
        if (!ExternalCommand.onPath(program)) {
            throw new IOException("'" + program + "' not found: building guest images needs e2fsprogs 1.43 or later"
                    + " (apt-get install e2fsprogs)");
        }
    }
}
