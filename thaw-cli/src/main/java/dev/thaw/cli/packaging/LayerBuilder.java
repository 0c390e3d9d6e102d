package dev.thaw.cli.packaging;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The files of one image layer, written as a reproducible gzip'ed tar: entries sorted by path,
 * every time stamp the epoch, numeric owners without user names, parent directories always
 * present, hard links within the layer kept as links. The same files give the same bytes.
 */
final class LayerBuilder {
    /** What a tar entry is. */
    enum Kind { DIRECTORY, FILE, SYMLINK }

    /**
     * One entry: a regular file's bytes come from {@code source} or {@code content}.
     *
     * @param inode the source's (device, inode), for regular files with more than one link; else null
     */
    record Entry(String path, Kind kind, int mode, int uid, int gid, Path source, byte[] content, String linkTarget,
                 String inode) {
    }

    private static final FileTime EPOCH = FileTime.fromMillis(0);
    private final NavigableMap<String, Entry> entries = new TreeMap<>();
    private final String description;

    LayerBuilder(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    /** Adds a directory owned by root (replacing an earlier entry at that path). */
    LayerBuilder directory(String path, int mode) {
        put(new Entry(clean(path), Kind.DIRECTORY, mode, 0, 0, null, null, null, null));
        return this;
    }

    /** Adds a regular file owned by root with the given bytes. */
    LayerBuilder file(String path, int mode, String content) {
        put(new Entry(clean(path), Kind.FILE, mode, 0, 0, null, content.getBytes(StandardCharsets.UTF_8), null, null));
        return this;
    }

    /** Adds a symbolic link owned by root. */
    LayerBuilder symlink(String path, String target) {
        put(new Entry(clean(path), Kind.SYMLINK, 0777, 0, 0, null, null, target, null));
        return this;
    }

    /** Adds a regular file from disk as root-owned {@code mode}. */
    LayerBuilder copy(Path source, String path, int mode) {
        put(new Entry(clean(path), Kind.FILE, mode, 0, 0, source, null, null, null));
        return this;
    }

    /**
     * Adds one file system object from disk as it is (type, mode, owner; a symlink is not
     * followed). Device nodes, sockets and pipes are skipped: a container runtime supplies /dev.
     */
    LayerBuilder copyAsIs(Path source, String path) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(source, "unix:mode,uid,gid,ino,dev,nlink",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attrs.get("mode");
        int uid = (Integer) attrs.get("uid");
        int gid = (Integer) attrs.get("gid");
        int permissions = mode & 07777;
        String name = clean(path);
        if (Files.isSymbolicLink(source)) {
            put(new Entry(name, Kind.SYMLINK, 0777, uid, gid, null, null, Files.readSymbolicLink(source).toString(), null));
        } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            put(new Entry(name, Kind.DIRECTORY, permissions, uid, gid, null, null, null, null));
        } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            String inode = (Integer) attrs.get("nlink") > 1 ? attrs.get("dev") + ":" + attrs.get("ino") : null;
            put(new Entry(name, Kind.FILE, permissions, uid, gid, source, null, null, inode));
        }
        return this;
    }

    /**
     * Adds the tree under {@code root} as it is, each path relative to {@code root} placed under
     * {@code prefix} ("" for the image root), keeping only relative paths {@code include} accepts
     * (a rejected directory is skipped with everything below it).
     */
    LayerBuilder tree(Path root, String prefix, Predicate<String> include) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String relative = root.relativize(dir).toString();
                if (relative.isEmpty()) {
                    return FileVisitResult.CONTINUE;
                }
                if (!include.test(relative)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                copyAsIs(dir, join(prefix, relative));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String relative = root.relativize(file).toString();
                if (include.test(relative)) {
                    copyAsIs(file, join(prefix, relative));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return this;
    }

    /** The entries added so far, sorted by path. */
    NavigableMap<String, Entry> entries() {
        return entries;
    }

    /**
     * Writes the layer as a tar to {@code out} (not closed). Of regular files sharing an inode,
     * the first in path order carries the bytes and the rest are hard links to it.
     */
    void writeTar(OutputStream out) throws IOException {
        // The tar stream writes its last block only when closed; closing must leave {@code out} open.
        OutputStream shielded = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(shielded, 1 << 16),
                StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            Map<String, String> firstOfInode = new HashMap<>();
            for (Entry entry : withParents().values()) {
                writeEntry(tar, entry, firstOfInode);
            }
            tar.finish();
        }
    }

    private NavigableMap<String, Entry> withParents() {
        NavigableMap<String, Entry> all = new TreeMap<>(entries);
        for (String path : entries.keySet()) {
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                all.putIfAbsent(path.substring(0, slash),
                        new Entry(path.substring(0, slash), Kind.DIRECTORY, 0755, 0, 0, null, null, null, null));
            }
        }
        return all;
    }

    private static void writeEntry(TarArchiveOutputStream tar, Entry entry, Map<String, String> firstOfInode)
            throws IOException {
        TarArchiveEntry tarEntry;
        String hardLinkTo = entry.inode() == null ? null : firstOfInode.putIfAbsent(entry.inode(), entry.path());
        switch (entry.kind()) {
            case DIRECTORY -> tarEntry = new TarArchiveEntry(entry.path() + "/", TarConstants.LF_DIR, false);
            case SYMLINK -> {
                tarEntry = new TarArchiveEntry(entry.path(), TarConstants.LF_SYMLINK, false);
                tarEntry.setLinkName(entry.linkTarget());
            }
            case FILE -> {
                if (hardLinkTo != null) {
                    tarEntry = new TarArchiveEntry(entry.path(), TarConstants.LF_LINK, false);
                    tarEntry.setLinkName(hardLinkTo);
                } else {
                    tarEntry = new TarArchiveEntry(entry.path(), TarConstants.LF_NORMAL, false);
                    tarEntry.setSize(entry.content() != null ? entry.content().length : Files.size(entry.source()));
                }
            }
            default -> throw new IllegalStateException(entry.kind().toString());
        }
        tarEntry.setMode(entry.mode() | switch (entry.kind()) {
            case DIRECTORY -> 040000;
            case SYMLINK -> 0120000;
            case FILE -> 0100000;
        });
        tarEntry.setModTime(EPOCH);
        tarEntry.setIds(entry.uid(), entry.gid());
        tarEntry.setNames("", "");
        tar.putArchiveEntry(tarEntry);
        if (entry.kind() == Kind.FILE && hardLinkTo == null) {
            if (entry.content() != null) {
                tar.write(entry.content());
            } else {
                try (InputStream in = Files.newInputStream(entry.source())) {
                    long copied = in.transferTo(tar);
                    if (copied != tarEntry.getSize()) {
                        throw new IOException(entry.source() + " changed size while it was packed");
                    }
                }
            }
        }
        tar.closeArchiveEntry();
    }

    private void put(Entry entry) {
        entries.put(entry.path(), entry);
    }

    private static String join(String prefix, String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** Tar paths are relative, without "./", "..", doubled or trailing slashes. */
    static String clean(String path) {
        String trimmed = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (trimmed.isEmpty() || trimmed.contains("//") || ("/" + trimmed + "/").contains("/../")
                || ("/" + trimmed + "/").contains("/./")) {
            throw new IllegalArgumentException("not a clean path inside an image: '" + path + "'");
        }
        return trimmed;
    }
}
