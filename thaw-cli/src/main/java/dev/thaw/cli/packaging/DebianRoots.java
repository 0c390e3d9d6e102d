package dev.thaw.cli.packaging;

import dev.thaw.sandbox.ExternalCommand;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.BaseRootfsBuilder;
import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian root file system trees for container images: {@code debootstrap --variant=minbase
 * --include=<packages> bookworm} (debootstrap's default mirror; none is named here), then
 * documentation, manual pages, apt's lists and caches, logs and the build host's name removed.
 *
 * <p>Cached in the Thaw home as {@code image-roots/<key>/root}, where the key hashes the suite,
 * variant, package set and trimming rules: only the first build of a package set pays for
 * debootstrap, and a cached tree never changes, so images built from it stay reproducible.
 * Built in a work directory and renamed into place; of two concurrent builds, the first rename
 * wins and the other's tree is discarded.
 */
final class DebianRoots {
    /** Bumped whenever what {@link #trim} removes changes, so cached trees are rebuilt. */
    private static final String TRIM_VERSION = "trim-1";
    private static final Pattern DEBIAN_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(30);
    private static final Logger LOG = System.getLogger(DebianRoots.class.getName());

    private final ThawHome home;

    DebianRoots(ThawHome home) {
        this.home = home;
    }

    /** The cached tree for {@code packages} (sorted, deduplicated), built first if missing. */
    Path ensure(List<String> packages) throws IOException {
        TreeSet<String> sorted = new TreeSet<>();
        for (String pkg : packages) {
            if (!DEBIAN_PACKAGE.matcher(pkg).matches()) {
                throw new IllegalArgumentException("invalid Debian package name '" + pkg + "'");
            }
            sorted.add(pkg);
        }
        String key = key(List.copyOf(sorted));
        Path entry = home.root().resolve("image-roots").resolve(key);
        Path root = entry.resolve("root");
        if (Files.isDirectory(root)) {
            return root;
        }
        Files.createDirectories(entry.getParent());
        if (!ExternalCommand.onPath("debootstrap")) {
            throw new IOException("'debootstrap' not found: building an image's Debian root needs it"
                    + " (apt-get install debootstrap)");
        }
        Path work = home.newTempDir("image-root-" + key);
        try {
            long started = System.nanoTime();
            Path built = work.resolve("entry");
            Path tree = built.resolve("root");
            Files.createDirectories(built);
            debootstrap(List.copyOf(sorted), tree);
            trim(tree);
            Files.writeString(built.resolve("packages"), String.join("\n", sorted) + "\n");
            try {
                Files.move(built, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                LOG.log(Level.INFO, "another process built image root " + key + " first; using its tree");
            }
            LOG.log(Level.INFO, "built image root " + key + " " + sorted + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        } finally {
            FileTrees.deleteTree(work);
        }
        return root;
    }

    static String key(List<String> sortedPackages) {
        MessageDigest digest = OciLayout.sha256();
        String input = BaseRootfsBuilder.SUITE + "|" + BaseRootfsBuilder.VARIANT + "|" + String.join(",", sortedPackages)
                + "|" + TRIM_VERSION;
        return HexFormat.of().formatHex(digest.digest(input.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    private static void debootstrap(List<String> packages, Path tree) throws IOException {
        List<String> command = List.of("debootstrap", "--variant=" + BaseRootfsBuilder.VARIANT,
                "--include=" + String.join(",", packages), BaseRootfsBuilder.SUITE, tree.toString());
        ExternalCommand.Result result = ExternalCommand.run(command, null, DEBOOTSTRAP_TIMEOUT,
                Map.of("LC_ALL", "C", "DEBIAN_FRONTEND", "noninteractive"));
        if (!result.succeeded()) {
            String output = result.stderr().isBlank() ? result.stdout() : result.stderr();
            throw new IOException("debootstrap for image packages " + packages + " failed with exit status "
                    + result.exitCode() + ":\n" + ExternalCommand.lastLines(output, 20));
        }
    }

    /** Removes what a container image does not need and what describes the build host. */
    private static void trim(Path tree) throws IOException {
        for (String dir : List.of("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
                "var/cache/apt", "var/lib/apt/lists", "var/log", "var/cache/debconf")) {
            emptyDirectory(tree.resolve(dir));
        }
        Files.createDirectories(tree.resolve("var/lib/apt/lists/partial"));
        Files.createDirectories(tree.resolve("var/cache/apt/archives/partial"));
        Files.deleteIfExists(tree.resolve("etc/hostname"));
        // The container runtime mounts its own resolv.conf and hosts; debootstrap copied the build host's.
        Files.writeString(tree.resolve("etc/resolv.conf"), "");
        Files.writeString(tree.resolve("etc/hosts"), "127.0.0.1 localhost\n::1 localhost\n");
    }

    private static void emptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                FileTrees.deleteTree(child);
            }
        }
    }
}
