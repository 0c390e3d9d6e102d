package dev.thaw.snapshot.cache;

import dev.thaw.api.DirectoryTrees;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/** Deleting directory trees the cache made. Symbolic links inside are removed, never followed. */
final class Trees {

    private static final Logger LOG = System.getLogger(Trees.class.getName());

    private Trees() {}

    static void delete(Path path) throws IOException {
        DirectoryTrees.deleteTree(path);
    }

    /** {@link #delete} for cleanup that must not fail: what stays is swept when the cache next opens. */
    static void deleteQuietly(Path path) {
        try {
            delete(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not delete {0}; it is removed when the cache next opens: {1}", path, e.toString());
        }
    }
}
