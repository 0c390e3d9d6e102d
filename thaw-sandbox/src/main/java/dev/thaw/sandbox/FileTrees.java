package dev.thaw.sandbox;

import dev.thaw.api.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directory trees Thaw makes: caches, staging directories, VM run directories; creating private
 * ones and removing them.
 */
public final class FileTrees {
    /** Directories that hold guest memory, sockets or snapshots: their owner only. */
    public static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** Files that hold guest memory or a guest's output: their owner only. */
    public static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private FileTrees() {
    }

    /**
     * Creates {@code dir} and any missing parents, then makes {@code dir} itself accessible to its
     * owner only, so nothing beneath it can be read by another user whatever its own mode.
     */
    public static Path createPrivateDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
        return dir;
    }

    /**
     * Deletes {@code path} and everything in it, never following links or crossing into another
     * file system; see {@link DirectoryTrees#deleteTree}.
     */
    public static void deleteTree(Path path) throws IOException {
        DirectoryTrees.deleteTree(path);
    }

    /** {@link #deleteTree}, for cleanup paths that must not fail: what cannot be removed stays. */
    public static void deleteQuietly(Path path) {
        try {
            deleteTree(path);
        } catch (IOException ignored) {
            // left for the next sweep of the directory it lives in
        }
    }
}
