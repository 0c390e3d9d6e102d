package dev.thaw.control.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The gateway's identity key in a file of its own (mode 0600), created with a random key the
 * first time, so the bindings of nodes to their credentials outlive a gateway restart.
 */
public final class IdentityKeyFile {
    public static final String NAME = "gateway-identity.key";
    private static final long MAX_BYTES = 4096;

    private IdentityKeyFile() {
    }

    /** A fresh key: 256 random bits, as hex. */
    public static String newKey() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** The key in {@code file}, creating the file with a fresh key when it does not exist. */
    public static String loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), newKey() + "\n");
            } catch (FileAlreadyExistsException raced) {
                // another gateway on this directory created it first: use its key
            }
        }
        return load(file);
    }

    /** The key in {@code file}: its first line, at least 16 characters. */
    public static String load(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is not an identity key file (a regular file of at most " + MAX_BYTES
                    + " bytes)");
        }
        String key = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().findFirst().orElse("")
                .strip();
        if (key.length() < 16) {
            throw new IOException(file + " holds no identity key of at least 16 characters");
        }
        return key;
    }
}
