package dev.thaw.control.functions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Extracts an uploaded function directory ({@code .tar.gz}, ustar/GNU/pax) into an
 * empty directory, refusing anything that could write outside it: absolute names,
 * {@code ..}, hard links, symbolic links that point outside, device files. The
 * total extracted size is bounded so a small archive cannot fill the disk.
 */
public final class Archives {
    private Archives() {
    }

    /** A refused archive; answered with 400. */
    public static final class BadArchive extends IOException {
        public BadArchive(String message) {
            super(message);
        }
    }

    public static void extractTarGz(byte[] archive, Path target, long maxExtractedBytes) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        long total = 0;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(archive))) {
            String longName = null;
            while (true) {
                byte[] header = in.readNBytes(512);
                if (header.length == 0 || isZero(header)) {
                    return;
                }
                if (header.length < 512) {
                    throw new BadArchive("the archive ends inside an entry header; send a complete .tar.gz");
                }
                char type = (char) header[156];
                long size = octal(header, 124, 12);
                String name = longName != null ? longName : name(header);
                longName = null;
                if (type == 'L' || type == 'x') {
                    byte[] data = readPadded(in, size);
                    String text = new String(data, StandardCharsets.UTF_8);
                    longName = type == 'L' ? text.replace("\0", "") : paxPath(text);
                    continue;
                }
                if (type == 'g') {
                    readPadded(in, size);
                    continue;
                }
                Path path = safePath(root, name);
                switch (type) {
                    case '0', '\0', '7' -> {
                        total += size;
                        if (total > maxExtractedBytes) {
                            throw new BadArchive("the archive expands to more than " + maxExtractedBytes
                                    + " bytes; functions must be smaller");
                        }
                        Files.createDirectories(path.getParent());
                        byte[] data = readPadded(in, size);
                        Files.write(path, data);
                        if ((octal(header, 100, 8) & 0100) != 0) {
                            path.toFile().setExecutable(true, false);
                        }
                    }
                    case '5' -> Files.createDirectories(path);
                    case '2' -> {
                        String link = cString(header, 157, 100);
                        Path resolved = path.getParent().resolve(link).normalize();
                        if (link.startsWith("/") || !resolved.startsWith(root)) {
                            throw new BadArchive("symbolic link '" + name + "' points outside the function directory ('"
                                    + link + "'); replace it with the file it points to");
                        }
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, Path.of(link));
                    }
                    case '1' -> throw new BadArchive("hard link '" + name + "' is not allowed in a function archive");
                    default -> throw new BadArchive("entry '" + name + "' has type '" + type
                            + "'; only files, directories and links inside the archive are allowed");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new BadArchive("the body is not a gzip-compressed tar archive: " + e.getMessage());
        }
    }

    private static Path safePath(Path root, String name) throws BadArchive {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains("\0")) {
            throw new BadArchive("archive entry '" + name + "' has an absolute or malformed name; archive the"
                    + " function directory with relative names (tar -C dir -czf f.tgz .)");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new BadArchive("archive entry '" + name + "' contains '..'; entries must stay inside the directory");
            }
        }
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new BadArchive("archive entry '" + name + "' is outside the function directory");
        }
        // Refuse writing through a symbolic link extracted earlier.
        for (Path p = path.getParent(); p != null && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new BadArchive("archive entry '" + name + "' is inside symbolic link '" + root.relativize(p) + "'");
            }
        }
        return path;
    }

    private static String paxPath(String records) {
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + 5);
            }
        }
        return null;
    }

    private static String name(byte[] header) {
        String name = cString(header, 0, 100);
        String magic = cString(header, 257, 6);
        String prefix = magic.startsWith("ustar") ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static byte[] readPadded(InputStream in, long size) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE - 1024) {
            throw new BadArchive("archive entry of " + size + " bytes is too large");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new BadArchive("the archive ends inside an entry; send a complete .tar.gz");
        }
        in.skipNBytes((512 - size % 512) % 512);
        return data;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] b, int offset, int length) {
        int end = offset;
        while (end < offset + length && b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int offset, int length) throws BadArchive {
        String text = cString(b, offset, length).strip();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new BadArchive("malformed number '" + text + "' in a tar header");
        }
    }

    /** Writes {@code dir}'s regular files and directories as a .tar.gz (ustar, names up to 100 bytes). */
    public static byte[] tarGz(Path dir) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes);
                var files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                if (file.equals(dir) || !(Files.isRegularFile(file) || Files.isDirectory(file))) {
                    continue;
                }
                String name = dir.relativize(file).toString().replace('\\', '/');
                boolean directory = Files.isDirectory(file);
                byte[] data = directory ? new byte[0] : Files.readAllBytes(file);
                writeEntry(out, directory ? name + "/" : name, directory ? '5' : '0',
                        Files.isExecutable(file) ? 0755 : 0644, data, "");
            }
            out.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    /** One raw tar entry; names are not checked, so tests can build hostile archives. */
    public static void writeEntry(java.io.OutputStream out, String name, char type, int mode, byte[] data,
            String linkTarget) throws IOException {
        byte[] header = new byte[512];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            throw new IOException("'" + name + "' is longer than 100 bytes; shorten the path");
        }
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        putOctal(header, 100, 8, mode);
        putOctal(header, 108, 8, 0);
        putOctal(header, 116, 8, 0);
        putOctal(header, 124, 12, data.length);
        putOctal(header, 136, 12, 0);
        header[156] = (byte) type;
        byte[] link = linkTarget.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(link, 0, header, 157, Math.min(100, link.length));
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        putOctal(header, 148, 7, sum);
        out.write(header);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void putOctal(byte[] header, int offset, int length, long value) {
        String text = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
    }
}
