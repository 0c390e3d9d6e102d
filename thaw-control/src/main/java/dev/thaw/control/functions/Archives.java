package dev.thaw.control.functions;

import dev.thaw.sandbox.FileTrees;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Extracts an uploaded function directory ({@code .tar.gz}, ustar/GNU/pax) and writes one.
 *
 * <p>An upload is hostile until proven otherwise. Every header's checksum is verified, the
 * number of headers is capped, and every byte of the decompressed tar (headers, pax records and
 * GNU long names included) counts against the size limit. Nothing is ever written through a
 * link: files are created with {@code CREATE_NEW} and {@code NOFOLLOW_LINKS} under parents checked
 * to be real directories. Hard links, devices and FIFOs are refused; a symbolic link is created
 * (after every file and directory) only if it resolves, component by component against what was
 * extracted, to a regular file inside the archive. Extraction happens in a staging directory that
 * is renamed into place only when everything was accepted, so a refused archive leaves nothing.
 */
public final class Archives {
    /** Headers (entries, pax records and long names each count) one archive may hold. */
    public static final int MAX_ENTRIES = 10_000;
    /** The longest entry or link name accepted, in bytes. */
    public static final int MAX_NAME_BYTES = 4096;
    /** How many links a link may go through, as the kernel's own limit. */
    static final int MAX_LINK_DEPTH = 40;

    private Archives() {
    }

    /** What one extraction may use: decompressed tar bytes in all, and headers. */
    public record Limits(long maxTarBytes, int maxEntries) {
        public Limits {
            if (maxTarBytes < 1024 || maxEntries < 1) {
                throw new IllegalArgumentException("archive limits must allow at least one entry and 1024 bytes");
            }
        }
    }

    /** A refused archive; answered with 400. Its message never quotes a file's content. */
    public static final class BadArchive extends IOException {
        public BadArchive(String message) {
            super(message);
        }
    }

    /** {@link #extractTarGz(byte[], Path, Limits)} with at most {@link #MAX_ENTRIES} headers. */
    public static void extractTarGz(byte[] archive, Path target, long maxTarBytes) throws IOException {
        extractTarGz(archive, target, new Limits(maxTarBytes, MAX_ENTRIES));
    }

    /**
     * Extracts {@code archive} so that {@code target} (absent, or an empty directory) holds its
     * files; on any refusal {@code target} is left as it was and nothing else remains.
     */
    public static void extractTarGz(byte[] archive, Path target, Limits limits) throws IOException {
        Path destination = target.toAbsolutePath().normalize();
        if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(destination + " exists and is not a directory");
            }
            try (var entries = Files.list(destination)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(destination + " is not empty");
                }
            }
        }
        Path staging = Files.createTempDirectory(destination.getParent(), ".extract-");
        boolean moved = false;
        try {
            new Extraction(staging, limits).run(archive);
            Files.deleteIfExists(destination);
            Files.move(staging, destination, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                FileTrees.deleteQuietly(staging);
            }
        }
    }

    /** One extraction into a private staging directory. */
    private static final class Extraction {
        private final Path root;
        private final Limits limits;
        /** Symbolic links not yet created: path (relative) to their target text. */
        private final Map<Path, String> pendingLinks = new LinkedHashMap<>();
        /** Created links: path (relative) to the regular file they resolve to (relative). */
        private final Map<Path, Path> links = new HashMap<>();

        Extraction(Path root, Limits limits) {
            this.root = root;
            this.limits = limits;
        }

        void run(byte[] archive) throws IOException {
            try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(archive));
                    CheckedTar tar = new CheckedTar(new CappedInputStream(gzip, limits.maxTarBytes()),
                            limits.maxEntries())) {
                TarArchiveEntry entry;
                while ((entry = next(tar)) != null) {
                    extract(tar, entry);
                }
            } catch (ZipException | EOFException e) {
                throw new BadArchive("the body is not a complete gzip-compressed tar archive ("
                        + e.getClass().getSimpleName() + ")");
            }
            // Links last, so each is checked against every file and directory the archive holds.
            for (Path link : List.copyOf(pendingLinks.keySet())) {
                if (pendingLinks.containsKey(link)) {
                    createLink(link, 0);
                }
            }
        }

        private static TarArchiveEntry next(CheckedTar tar) throws IOException {
            try {
                return tar.getNextEntry();
            } catch (BadArchive | ZipException | EOFException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new BadArchive("the archive has a malformed tar header (" + e.getMessage() + ")");
            }
        }

        private void extract(CheckedTar tar, TarArchiveEntry entry) throws IOException {
            String name = entry.getName();
            byte flag = entry.getLinkFlag();
            Path relative = relativeName(name);
            switch (flag) {
                case TarConstants.LF_SYMLINK -> symbolicLink(relative, name, entry.getLinkName());
                case TarConstants.LF_LINK -> throw new BadArchive("hard link '" + name + "' is not allowed in a"
                        + " function archive; archive the file itself (tar without --hard-dereference keeps links)");
                case TarConstants.LF_CHR, TarConstants.LF_BLK -> throw new BadArchive("entry '" + name
                        + "' is a device file; only files, directories and links inside the archive are allowed");
                case TarConstants.LF_FIFO -> throw new BadArchive("entry '" + name
                        + "' is a FIFO; only files, directories and links inside the archive are allowed");
                case TarConstants.LF_DIR -> directory(relative, name);
                case TarConstants.LF_NORMAL, TarConstants.LF_OLDNORM, TarConstants.LF_CONTIG -> {
                    if (name.endsWith("/")) {
                        directory(relative, name);
                    } else {
                        file(tar, entry, relative, name);
                    }
                }
                default -> throw new BadArchive("entry '" + name + "' has tar type '" + (char) flag
                        + "'; only files, directories and links inside the archive are allowed");
            }
        }

        /** The entry's path relative to the root, or null for the root itself ({@code ./}). */
        private static Path relativeName(String name) throws BadArchive {
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new BadArchive("an archive entry's name is longer than " + MAX_NAME_BYTES + " bytes");
            }
            if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")) {
                throw new BadArchive("archive entry '" + printable(name) + "' has an absolute or malformed name;"
                        + " archive the function directory with relative names (tar -C dir -czf f.tgz .)");
            }
            List<String> parts = new ArrayList<>();
            for (String part : name.split("/")) {
                if (part.equals("..")) {
                    throw new BadArchive("archive entry '" + name + "' contains '..'; entries must stay inside"
                            + " the function directory");
                }
                if (!part.isEmpty() && !part.equals(".")) {
                    parts.add(part);
                }
            }
            return parts.isEmpty() ? null : Path.of(parts.getFirst(), parts.subList(1, parts.size())
                    .toArray(String[]::new));
        }

        private void symbolicLink(Path relative, String name, String target) throws IOException {
            if (relative == null) {
                throw new BadArchive("the archive's root '" + name + "' is a symbolic link");
            }
            if (target == null || target.isEmpty() || target.startsWith("/") || target.contains("\0")
                    || target.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new BadArchive("symbolic link '" + name + "' has an absolute or malformed target; links"
                        + " must point at a file inside the function directory");
            }
            if (pendingLinks.containsKey(relative) || Files.exists(root.resolve(relative), LinkOption.NOFOLLOW_LINKS)) {
                throw twice(name);
            }
            parents(relative, name);
            pendingLinks.put(relative, target);
        }

        private void directory(Path relative, String name) throws IOException {
            if (relative == null) {
                return;
            }
            parents(relative, name);
            realDirectory(relative, name);
        }

        private void file(CheckedTar tar, TarArchiveEntry entry, Path relative, String name) throws IOException {
            if (relative == null) {
                throw new BadArchive("archive entry '" + name + "' names the function directory itself as a file");
            }
            if (pendingLinks.containsKey(relative)) {
                throw new BadArchive("archive entry '" + name + "' is a file and also a symbolic link; each name"
                        + " may appear once");
            }
            parents(relative, name);
            Path path = root.resolve(relative);
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                byte[] buffer = new byte[64 * 1024];
                while (true) {
                    int n;
                    try {
                        n = tar.read(buffer);
                    } catch (BadArchive | ZipException | EOFException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new BadArchive("the archive ends inside '" + name + "'; send a complete .tar.gz");
                    }
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (FileAlreadyExistsException e) {
                throw twice(name);
            }
            boolean executable = (entry.getMode() & 0100) != 0;
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x"
                    : "rw-r--r--"));
        }

        /** Makes every parent of {@code relative} a real directory, refusing links and files on the way. */
        private void parents(Path relative, String name) throws IOException {
            for (int i = 1; i < relative.getNameCount(); i++) {
                realDirectory(relative.subpath(0, i), name);
            }
        }

        private void realDirectory(Path relative, String name) throws IOException {
            if (pendingLinks.containsKey(relative) || links.containsKey(relative)) {
                throw new BadArchive("archive entry '" + name + "' goes through symbolic link '" + relative
                        + "'; entries must not be placed through links");
            }
            Path path = root.resolve(relative);
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                Files.createDirectory(path);
                return;
            }
            if (!attributes.isDirectory() || attributes.isSymbolicLink()) {
                throw new BadArchive("archive entry '" + name + "' needs '" + relative + "' to be a directory, but"
                        + " the archive made it a file");
            }
        }

        /** Creates a pending link once its target resolves to a regular file; returns that file. */
        private Path createLink(Path link, int depth) throws IOException {
            String target = pendingLinks.get(link);
            if (depth > MAX_LINK_DEPTH) {
                throw new BadArchive("symbolic link '" + link + "' is part of a loop or a chain of more than "
                        + MAX_LINK_DEPTH + " links");
            }
            Path file = resolve(link, target, depth);
            try {
                Files.createSymbolicLink(root.resolve(link), Path.of(target));
            } catch (FileAlreadyExistsException e) {
                throw twice(link.toString());
            }
            pendingLinks.remove(link);
            links.put(link, file);
            return file;
        }

        /**
         * Resolves {@code target} from the link's directory one component at a time, as the
         * kernel would, through links already resolved; never as text.
         */
        private Path resolve(Path link, String target, int depth) throws IOException {
            List<String> current = new ArrayList<>();
            for (int i = 0; i < link.getNameCount() - 1; i++) {
                current.add(link.getName(i).toString());
            }
            String[] parts = target.split("/", -1);
            int last = parts.length - 1;
            while (last >= 0 && (parts[last].isEmpty() || parts[last].equals("."))) {
                last--;
            }
            if (last < parts.length - 1 && target.endsWith("/")) {
                throw notAFile(link, target, "a directory");
            }
            for (int i = 0; i <= last; i++) {
                String part = parts[i];
                if (part.isEmpty() || part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    if (current.isEmpty()) {
                        throw new BadArchive("symbolic link '" + link + "' points outside the function directory ('"
                                + target + "'); replace it with the file it points to");
                    }
                    current.removeLast();
                    continue;
                }
                current.add(part);
                Path here = Path.of(current.getFirst(), current.subList(1, current.size()).toArray(String[]::new));
                Path file = pendingLinks.containsKey(here) ? createLink(here, depth + 1) : links.get(here);
                if (file != null) {
                    if (i == last) {
                        return file;
                    }
                    throw notAFile(link, target, "a path through a file");
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(root.resolve(here), BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    throw notAFile(link, target, "nothing in the archive");
                }
                if (attributes.isRegularFile() && i == last) {
                    return here;
                }
                if (!attributes.isDirectory() || attributes.isSymbolicLink()) {
                    throw notAFile(link, target, "a path through a file");
                }
                if (i == last) {
                    throw notAFile(link, target, "a directory");
                }
            }
            throw notAFile(link, target, "a directory");
        }

        private static BadArchive notAFile(Path link, String target, String what) {
            return new BadArchive("symbolic link '" + link + "' points at '" + target + "', which is " + what
                    + "; a link in a function archive must point at a regular file inside it");
        }

        private static BadArchive twice(String name) {
            return new BadArchive("archive entry '" + name + "' appears more than once; each name may appear once");
        }
    }

    private static String printable(String name) {
        return name.replace("\0", "\\0");
    }

    /** Verifies every header record's checksum and counts them against the limit. */
    private static final class CheckedTar extends TarArchiveInputStream {
        private final int maxRecords;
        private int records;

        CheckedTar(InputStream in, int maxRecords) {
            super(in, false);
            this.maxRecords = maxRecords;
        }

        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record != null && !isEOFRecord(record)) {
                if (++records > maxRecords) {
                    throw new BadArchive("the archive has more than " + maxRecords + " entries (pax and long-name"
                            + " headers included); functions must have fewer files");
                }
                if (!TarUtils.verifyCheckSum(record)) {
                    throw new BadArchive("tar header " + records + " has a bad checksum; the archive is corrupt");
                }
            }
            return record;
        }
    }

    /** Refuses reading more than {@code limit} bytes: bounds every header and record, not just file data. */
    private static final class CappedInputStream extends FilterInputStream {
        private final long limit;
        private long count;

        CappedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, (int) Math.min(len, limit + 1 - count));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, limit + 1 - count));
            counted(skipped);
            return skipped;
        }

        private void counted(long n) throws BadArchive {
            count += n;
            if (count > limit) {
                throw new BadArchive("the archive expands to more than " + limit + " bytes (headers included);"
                        + " functions must be smaller");
            }
        }
    }

    /**
     * Writes {@code dir}'s regular files and directories as a .tar.gz (pax names, so any length).
     * Symbolic links are stored as the files they point to.
     */
    public static byte[] tarGz(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GZIPOutputStream(bytes));
                var files = Files.walk(dir)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                if (file.equals(dir) || !(Files.isRegularFile(file) || Files.isDirectory(file))) {
                    continue;
                }
                String name = dir.relativize(file).toString().replace('\\', '/');
                boolean directory = Files.isDirectory(file);
                TarArchiveEntry entry = new TarArchiveEntry(directory ? name + "/" : name);
                entry.setMode((directory ? TarArchiveEntry.DEFAULT_DIR_MODE : TarArchiveEntry.DEFAULT_FILE_MODE)
                        | (Files.isExecutable(file) ? 0111 : 0));
                byte[] data = directory ? new byte[0] : Files.readAllBytes(file);
                entry.setSize(data.length);
                out.putArchiveEntry(entry);
                out.write(data);
                out.closeArchiveEntry();
            }
            out.finish();
        }
        return bytes.toByteArray();
    }
}
