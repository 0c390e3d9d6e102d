package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Builds and caches base root file systems: {@code debootstrap --variant=minbase
 * --include=<packages> bookworm} into a work directory (debootstrap's default mirror; none is
 * named here), packed with {@code mkfs.ext4 -d} into an image of (apparent tree size × 1.25 +
 * 32 MiB) rounded up to a MiB, after which the tree is deleted.
 *
 * <p>Cache layout: {@code bases/<key>/base.ext4}, {@code digest} (SHA-256 of the image) and
 * {@code packages} (one per line, for humans), plus a lock file {@code bases/<key>.lock}. Needs
 * root (debootstrap does) and network access to a Debian mirror; a build takes about 30 s plus
 * the extra packages' install time.
 *
 * <p>A base is built once per key and then kept as it is, so that images (and snapshots of them)
 * stay stable: Debian updates published later reach a base only when its entry
 * {@code bases/<key>} is deleted and rebuilt.
 *
 * <p>Thread-safe: callers in this JVM and in other processes that want the same key wait for a
 * single build (a lock object per key, then a file lock); different keys build in parallel.
 */
public final class BaseRootfsBuilder {

    /** The Debian release every base is built from. */
    public static final String SUITE = "bookworm";

    /** debootstrap's variant: essential packages and apt only. */
    public static final String VARIANT = "minbase";

    /** Packages every base has: the Python 3 interpreter and its standard library. */
    public static final List<String> DEFAULT_PACKAGES = List.of("libpython3-stdlib", "python3-minimal");

    static final String IMAGE = "base.ext4";
    static final String DIGEST = "digest";
    static final String PACKAGES = "packages";
    static final String LABEL = "thaw-base";

    private static final Pattern DEBIAN_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(30);
    private static final long HEADROOM_BYTES = 32L << 20;
    private static final int LOG_TAIL_LINES = 20;
    private static final Logger LOG = System.getLogger(BaseRootfsBuilder.class.getName());

    /**
     * Returns the base with {@link #DEFAULT_PACKAGES} plus {@code extraPackages}, building it into
     * {@code home} if it is not there yet.
     *
     * @param extraPackages Debian package names (order and duplicates do not matter)
     * @throws IllegalArgumentException if a package name is not a valid Debian package name
     * @throws IOException if debootstrap or mkfs.ext4 is missing or fails (the message carries the
     *     tail of debootstrap's log, which names e.g. an unknown package), or the cache cannot be
     *     written
     */
    public BaseRootfs ensure(ThawHome home, List<String> extraPackages) throws IOException {
        List<String> packages = packageSet(extraPackages);
        String key = key(packages);
        Path bases = home.bases();
        Path entry = bases.resolve(key);
        if (Files.isDirectory(entry)) {
            return read(key, entry, packages);
        }
        try (CacheLock _ = CacheLock.acquire(bases.resolve(key + ".lock"))) {
            if (Files.isDirectory(entry)) {
                return read(key, entry, packages);
            }
            Path work = home.newTempDir("base-" + key);
            try {
                build(key, packages, work, entry);
            } finally {
                Mounts.unmountUnder(work);
                FileTrees.deleteTree(work);
            }
            return read(key, entry, packages);
        }
    }

    /** The sorted, distinct union of {@link #DEFAULT_PACKAGES} and {@code extraPackages}. */
    static List<String> packageSet(List<String> extraPackages) {
        TreeSet<String> all = new TreeSet<>(DEFAULT_PACKAGES);
        for (String pkg : extraPackages) {
            if (pkg == null || !DEBIAN_PACKAGE.matcher(pkg).matches()) {
                throw new IllegalArgumentException("invalid Debian package name " + (pkg == null ? "null" : "'" + pkg + "'")
                        + " (must match ^[a-z0-9][a-z0-9+.-]+$)");
            }
            all.add(pkg);
        }
        return List.copyOf(all);
    }

    /** First 16 hex digits of SHA-256 of {@code "bookworm|minbase|"} + the package list joined with ",". */
    static String key(List<String> packages) {
        return Hashing.sha256Hex(SUITE + "|" + VARIANT + "|" + String.join(",", packages)).substring(0, 16);
    }

    private static void build(String key, List<String> packages, Path work, Path target) throws IOException {
        if (!ExternalCommand.onPath("debootstrap")) {
            throw new IOException("'debootstrap' not found: building a base root file system needs it"
                    + " (apt-get install debootstrap)");
        }
        long started = System.nanoTime();
        Path tree = work.resolve("root");
        debootstrap(packages, tree);
        long bootstrapped = System.nanoTime();

        long treeBytes = CacheFiles.apparentSize(tree);
        long sizeMib = CacheFiles.roundUpToMib((long) Math.ceil(treeBytes * 1.25) + HEADROOM_BYTES);
        Path entry = Files.createDirectory(work.resolve("entry"));
        Path image = entry.resolve(IMAGE);
        Ext4Image.create(tree, image, sizeMib, LABEL, UUID.nameUUIDFromBytes(("thaw-base:" + key).getBytes(StandardCharsets.UTF_8)));
        Mounts.unmountUnder(tree);
        FileTrees.deleteTree(tree);

        Files.writeString(entry.resolve(DIGEST), Hashing.sha256Hex(image) + "\n");
        Files.writeString(entry.resolve(PACKAGES), String.join("\n", packages) + "\n");
        CacheFiles.publish(entry, target);
        LOG.log(Level.INFO, "built base root file system " + key + " " + packages + ": debootstrap "
                + (bootstrapped - started) / 1_000_000 + " ms, image (" + sizeMib + " MiB) "
                + (System.nanoTime() - bootstrapped) / 1_000_000 + " ms");
    }

    private static void debootstrap(List<String> packages, Path tree) throws IOException {
        List<String> command = List.of("debootstrap", "--variant=" + VARIANT, "--include=" + String.join(",", packages),
                SUITE, tree.toString());
        ExternalCommand.Result result;
        try {
            result = ExternalCommand.run(command, null, DEBOOTSTRAP_TIMEOUT,
                    Map.of("LC_ALL", "C", "DEBIAN_FRONTEND", "noninteractive"));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + logTail(tree), e);
        }
        if (!result.succeeded()) {
            String output = result.stderr().isBlank() ? result.stdout() : result.stderr();
            throw new IOException("debootstrap for packages " + packages + " failed with exit status "
                    + result.exitCode() + ":\n" + ExternalCommand.lastLines(output, LOG_TAIL_LINES) + logTail(tree));
        }
    }

    /** The end of debootstrap's own log in the target, which says more than its stderr. */
    private static String logTail(Path tree) {
        try {
            byte[] log = Files.readAllBytes(tree.resolve("debootstrap/debootstrap.log"));
            List<String> lines = new String(log, StandardCharsets.UTF_8).lines().toList();
            return "\ndebootstrap.log ends with:\n" + String.join("\n",
                    lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "\n(cannot read debootstrap.log: " + e.getMessage() + ")";
        }
    }

    private static BaseRootfs read(String key, Path entry, List<String> packages) throws IOException {
        String digest = CacheFiles.readMetadata(entry.resolve(DIGEST), entry);
        return new BaseRootfs(key, digest, entry.resolve(IMAGE), packages);
    }
}
