package dev.thaw.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds hostile and ordinary .tar.gz archives for upload tests, with commons-compress or raw headers. */
final class TarFixtures {
    private final List<TarArchiveEntry> entries = new ArrayList<>();
    private final List<byte[]> contents = new ArrayList<>();

    TarFixtures file(String name, String content) {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        entry.setSize(data.length);
        return add(entry, data);
    }

    TarFixtures directory(String name) {
        return add(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true), new byte[0]);
    }

    TarFixtures symlink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
        entry.setLinkName(target);
        return add(entry, new byte[0]);
    }

    TarFixtures special(String name, byte type, String linkTarget) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        if (linkTarget != null) {
            entry.setLinkName(linkTarget);
        }
        return add(entry, new byte[0]);
    }

    private TarFixtures add(TarArchiveEntry entry, byte[] data) {
        entries.add(entry);
        contents.add(data);
        return this;
    }

    /** The uncompressed tar. */
    byte[] tar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < entries.size(); i++) {
                out.putArchiveEntry(entries.get(i));
                out.write(contents.get(i));
                out.closeArchiveEntry();
            }
            out.finish();
        }
        return bytes.toByteArray();
    }

    byte[] tarGz() throws IOException {
        return gzip(tar());
    }

    static byte[] gzip(byte[] tar) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(tar);
        }
        return bytes.toByteArray();
    }

    /**
     * A raw ustar header of {@code type} whose size field claims {@code declaredSize}, followed by
     * {@code filler} bytes of {@code 'a'} (compressed, so a few KiB stand for megabytes).
     */
    static byte[] hugeHeader(char type, long declaredSize, int filler) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            byte[] header = header("././@LongLink", type, declaredSize);
            out.write(header);
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            if (type == 'x') {
                out.write((declaredSize + " path=").getBytes(StandardCharsets.US_ASCII));
            }
            for (int left = filler; left > 0; left -= chunk.length) {
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
        }
        return bytes.toByteArray();
    }

    static byte[] header(String name, char type, long size) {
        byte[] header = new byte[512];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(header, 100, 8, 0644);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, 0);
        header[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
        Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        return header;
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String text = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
    }
}
