package dev.thaw.sandbox.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers; every digest Thaw reports is lower-case hex SHA-256. */
final class Hashing {

    private Hashing() {}

    /** A fresh SHA-256 digest (every JDK has it). */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK lacks SHA-256", e);
        }
    }

    /** Lower-case hex of {@code digest}'s result. */
    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 hex of the UTF-8 bytes of {@code text}. */
    static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 hex of {@code bytes}. */
    static String sha256Hex(byte[] bytes) {
        MessageDigest digest = sha256();
        digest.update(bytes);
        return hex(digest);
    }

    /** SHA-256 hex of the files' contents, one after the other, streamed. */
    static String sha256Hex(Path... files) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 20];
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        return hex(digest);
    }

    /** Feeds {@code bytes} preceded by their length (8 bytes, big-endian), so that concatenations stay unambiguous. */
    static void updateFramed(MessageDigest digest, byte[] bytes) {
        updateLength(digest, bytes.length);
        digest.update(bytes);
    }

    private static void updateLength(MessageDigest digest, long length) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            digest.update((byte) (length >>> shift));
        }
    }

    /** {@link #updateFramed(MessageDigest, byte[])} of a file's content, streamed. */
    static void updateFramed(MessageDigest digest, Path file) throws IOException {
        updateLength(digest, Files.size(file));
        long read = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                read += n;
            }
        }
        if (read != Files.size(file)) {
            throw new IOException(file + " changed while it was being hashed");
        }
    }

    /** {@link #updateFramed(MessageDigest, byte[])} of the UTF-8 bytes of {@code text}. */
    static void updateFramed(MessageDigest digest, String text) {
        updateFramed(digest, text.getBytes(StandardCharsets.UTF_8));
    }
}
