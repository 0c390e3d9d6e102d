package dev.thaw.snapshot.cache;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the cache index from what a previous run left on disk. Whatever a crash can leave
 * half-done is removed: the whole staging area, and every directory that is neither an entry
 * (a directory with a readable marker naming its own path) nor a parent of one.
 */
final class DiskScan {

    private static final Logger LOG = System.getLogger(DiskScan.class.getName());

    /** An entry found on disk. */
    record Found(String key, Path dir, long bytes, Instant lastUse) {}

    private final List<Found> found = new ArrayList<>();

    private DiskScan() {}

    /** The entries under {@code root}, least recently used first. */
    static List<Found> scan(Path root, Path staging) throws IOException {
        Trees.delete(staging);
        DiskScan scan = new DiskScan();
        scan.visitChildren(root, "");
        scan.found.sort(Comparator.comparing(Found::lastUse).thenComparing(Found::key));
        return scan.found;
    }

    /**
     * Adopts the entries under {@code dir} and removes each child directory that holds none, as a
     * whole (one removal, one log line, for a stray tree). Returns whether any entry was found.
     */
    private boolean visitChildren(Path dir, String prefix) throws IOException {
        Map<Path, String> strays = new LinkedHashMap<>();
        List<Path> children = subdirectories(dir);
        for (Path child : children) {
            String why = visit(child, prefix + child.getFileName());
            if (why != null) {
                strays.put(child, why);
            }
        }
        boolean holdsEntries = strays.size() < children.size();
        // A directory without entries goes whole with its parent's cleanup; the root always stays.
        if (holdsEntries || prefix.isEmpty()) {
            for (Map.Entry<Path, String> stray : strays.entrySet()) {
                discard(stray.getKey(), stray.getValue());
            }
        }
        return holdsEntries;
    }

    /** Returns null if {@code dir} is an entry or holds one, else why it is to be removed. */
    private String visit(Path dir, String key) throws IOException {
        if (!CacheKeys.isValid(key)) {
            return "its name is not a cache key";
        }
        if (Files.exists(EntryMarker.in(dir), LinkOption.NOFOLLOW_LINKS)) {
            return adopt(dir, key);
        }
        return visitChildren(dir, key + "/") ? null : "it holds no committed entry";
    }

    private String adopt(Path dir, String key) throws IOException {
        EntryMarker marker;
        try {
            marker = EntryMarker.readFrom(dir);
        } catch (IOException e) {
            return "its entry marker is unreadable (" + e.getMessage() + ")";
        }
        if (!key.equals(marker.key()) || marker.bytes() < 0) {
            return "its entry marker names key '" + marker.key() + "' of " + marker.bytes() + " bytes";
        }
        found.add(new Found(key, dir, marker.bytes(), EntryMarker.lastUse(dir)));
        return null;
    }

    private static void discard(Path dir, String why) throws IOException {
        LOG.log(Level.INFO, "removing {0} from the node cache: {1}", dir, why);
        Trees.delete(dir);
    }

    private static List<Path> subdirectories(Path dir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(child);
                }
            }
        }
        return dirs;
    }
}
