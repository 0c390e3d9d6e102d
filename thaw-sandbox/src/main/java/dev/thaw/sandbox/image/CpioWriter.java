package dev.thaw.sandbox.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Writes an uncompressed cpio archive in the SVR4 "newc" format, the format the Linux kernel
 * unpacks as an initramfs.
 *
 * <p>Each entry is a 110-byte ASCII header ({@code "070701"} then 13 fields of 8 upper-case hex
 * digits: ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize, check), the NUL-terminated name padded with NULs to a multiple of 4 bytes (counting
 * from the header's start), then the data padded likewise. {@link #finish()} writes the
 * {@code "TRAILER!!!"} entry.
 *
 * <p>Contract: names are relative paths without a leading {@code /} (as {@code cpio -o} writes
 * them), unique, without {@code .} or {@code ..} parts; parents must be added before their
 * children. Every entry is owned by root with mtime 0, so equal inputs give byte-identical
 * archives. Inode numbers count up from 1. Not thread-safe; does not close the stream.
 */
final class CpioWriter {

    static final String MAGIC = "070701";
    static final String TRAILER = "TRAILER!!!";
    static final int HEADER_LENGTH = 110;

    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private final Set<String> names = new HashSet<>();
    private int nextInode = 1;
    private boolean finished;

    CpioWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Adds a directory with permission bits {@code permissions} (e.g. {@code 0755}). */
    CpioWriter directory(String name, int permissions) throws IOException {
        entry(name, S_IFDIR | checkPermissions(permissions), 2, 0, 0, new byte[0]);
        return this;
    }

    /** Adds a regular file with permission bits {@code permissions} and content {@code data}. */
    CpioWriter file(String name, int permissions, byte[] data) throws IOException {
        entry(name, S_IFREG | checkPermissions(permissions), 1, 0, 0, Objects.requireNonNull(data, "data"));
        return this;
    }

    /** Adds a character device node, e.g. {@code dev/console} 5:1. */
    CpioWriter characterDevice(String name, int permissions, int major, int minor) throws IOException {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("device numbers must not be negative, got " + major + ":" + minor);
        }
        entry(name, S_IFCHR | checkPermissions(permissions), 1, major, minor, new byte[0]);
        return this;
    }

    /** Writes the trailer entry; no entry may be added afterwards. */
    void finish() throws IOException {
        checkOpen();
        writeEntry(TRAILER, 0, 1, 0, 0, 0, new byte[0]);
        finished = true;
        out.flush();
    }

    private void entry(String name, int mode, int nlink, int rdevMajor, int rdevMinor, byte[] data) throws IOException {
        checkOpen();
        checkName(name);
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate cpio entry '" + name + "'");
        }
        int parentEnd = name.lastIndexOf('/');
        if (parentEnd > 0 && !names.contains(name.substring(0, parentEnd))) {
            throw new IllegalArgumentException("cpio entry '" + name + "' added before its directory '"
                    + name.substring(0, parentEnd) + "'");
        }
        writeEntry(name, nextInode++, nlink, mode, rdevMajor, rdevMinor, data);
    }

    private void writeEntry(String name, int inode, int nlink, int mode, int rdevMajor, int rdevMinor, byte[] data)
            throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        int nameSize = nameBytes.length + 1; // with the NUL
        StringBuilder header = new StringBuilder(HEADER_LENGTH).append(MAGIC);
        for (long field : new long[] {inode, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameSize, 0}) {
            header.append(String.format("%08X", field));
        }
        out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(nameBytes);
        out.write(0);
        pad(HEADER_LENGTH + nameSize);
        out.write(data);
        pad(data.length);
    }

    private void pad(long length) throws IOException {
        int padding = (int) ((4 - length % 4) % 4);
        out.write(new byte[padding]);
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("cpio archive already finished");
        }
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.startsWith("/") || name.endsWith("/") || name.indexOf('\0') >= 0
                || name.equals(TRAILER)) {
            throw new IllegalArgumentException("invalid cpio entry name '" + name
                    + "': expected a relative path such as 'bin/busybox'");
        }
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid cpio entry name '" + name
                        + "': empty, '.' and '..' parts are not allowed");
            }
        }
    }

    private static int checkPermissions(int permissions) {
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permissions must be within 07777, got 0" + Integer.toOctalString(permissions));
        }
        return permissions;
    }
}
