package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The on-disk cache of everything Thaw builds for guests, rooted at {@code root}:
 *
 * <pre>
 * root/
 *   kernels/   guest kernels and their initramfs images   (see {@link GuestKernels})
 *   bases/     base root file systems, one per package set  (see {@link BaseRootfsBuilder})
 *   images/    function layers, per function name and input hash (see {@link FunctionImageBuilder})
 *   tmp/       work in progress
 * </pre>
 *
 * <p>Contract: every cache entry is built in a fresh directory under {@link #tmp()} (see
 * {@link #newTempDir}) and then renamed into place with {@code ATOMIC_MOVE}; {@code tmp/} is on
 * the same file system as the rest, so the rename is atomic and a crash never leaves a
 * half-built entry visible. An entry directory that exists is therefore complete. Work
 * directories left in {@code tmp/} by processes that are no longer running are deleted the first
 * time this JVM asks for a new one.
 *
 * @param root the cache's directory; stored absolute and normalized
 */
public record ThawHome(Path root) {

    /** The environment variable that overrides the default location. */
    public static final String ENV_VAR = "THAW_HOME";

    private static final Logger LOG = System.getLogger(ThawHome.class.getName());

    /** Work directory names: {@code p<pid>-<process start, epoch ms>.<purpose>.<random>}. */
    private static final Pattern TEMP_NAME = Pattern.compile("p(\\d+)-(\\d+)\\..*");

    /** Allowed difference between two readings of one process's start time. */
    private static final long START_TOLERANCE_MS = 2_000;

    /** Roots whose tmp/ this JVM has already swept. */
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

    /** @throws NullPointerException if {@code root} is null */
    public ThawHome {
        Objects.requireNonNull(root, "root must not be null");
        root = root.toAbsolutePath().normalize();
    }

    /**
     * The home named by the environment: {@code $THAW_HOME} if set and not blank, else
     * {@code $HOME/.thaw} (the {@code user.home} system property when {@code HOME} is unset).
     */
    public static ThawHome fromEnvironment() {
        String thawHome = System.getenv(ENV_VAR);
        if (thawHome != null && !thawHome.isBlank()) {
            return new ThawHome(Path.of(thawHome));
        }
        String home = System.getenv("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        return new ThawHome(Path.of(home, ".thaw"));
    }

    /** {@code root/kernels}, created if missing. */
    public Path kernels() throws IOException {
        return subdirectory("kernels");
    }

    /** {@code root/bases}, created if missing. */
    public Path bases() throws IOException {
        return subdirectory("bases");
    }

    /** {@code root/images}, created if missing. */
    public Path images() throws IOException {
        return subdirectory("images");
    }

    /** {@code root/tmp}, created if missing. */
    public Path tmp() throws IOException {
        return subdirectory("tmp");
    }

    /**
     * Creates a fresh, empty, private work directory under {@link #tmp()} whose name records this
     * process, so that it can be recognized as stale once this process is gone. The caller
     * deletes it when done (renaming its result out of it first).
     *
     * @param purpose a short word for humans reading {@code tmp/}, e.g. {@code "kernel"}
     */
    public Path newTempDir(String purpose) throws IOException {
        Path tmp = tmp();
        if (SWEPT.add(root)) {
            deleteStaleTemp();
        }
        ProcessHandle self = ProcessHandle.current();
        String prefix = "p" + self.pid() + "-" + startMillis(self) + "." + purpose.replaceAll("[^A-Za-z0-9_-]", "_") + ".";
        return Files.createTempDirectory(tmp, prefix);
    }

    /**
     * Deletes what processes that are no longer running left in {@link #tmp()}: work directories
     * whose owner (by pid and start time) is gone, and entries not named by {@link #newTempDir}
     * that are older than this process. Failures to delete are logged, not thrown.
     *
     * @return how many entries were deleted
     */
    public int deleteStaleTemp() throws IOException {
        Path tmp = tmp();
        Instant selfStart = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                if (!isStale(entry, selfStart)) {
                    continue;
                }
                try {
                    Mounts.unmountUnder(entry);
                    FileTrees.deleteTree(entry);
                    deleted++;
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot delete stale work directory " + entry + ": " + e);
                }
            }
        }
        if (deleted > 0) {
            LOG.log(Level.INFO, "deleted " + deleted + " stale work entr" + (deleted == 1 ? "y" : "ies") + " in " + tmp);
        }
        return deleted;
    }

    private static boolean isStale(Path entry, Instant selfStart) throws IOException {
        Matcher name = TEMP_NAME.matcher(entry.getFileName().toString());
        if (name.matches()) {
            long pid;
            long start;
            try {
                pid = Long.parseLong(name.group(1));
                start = Long.parseLong(name.group(2));
            } catch (NumberFormatException e) {
                return false;
            }
            Optional<ProcessHandle> owner = ProcessHandle.of(pid);
            if (owner.isEmpty()) {
                return true;
            }
            long ownerStart = startMillis(owner.get());
            // Same pid but a different start time: the pid was reused, the owner is gone.
            return start != 0 && ownerStart != 0 && Math.abs(ownerStart - start) > START_TOLERANCE_MS;
        }
        FileTime modified = Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS);
        return modified.toInstant().isBefore(selfStart);
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private Path subdirectory(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }
}
