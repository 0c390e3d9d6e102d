package dev.thaw.node.identity;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.thaw.api.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Where a node keeps the credential it got when it joined: {@code identity.json} in its work
 * directory, readable by its owner only (0600). A restarted node finds it and registers with it
 * instead of joining again, since its name is already bound to this credential.
 */
public final class IdentityFile {
    public static final String NAME = "identity.json";
    private static final long MAX_BYTES = 64 * 1024;

    /** What the file holds. */
    public record Identity(String node, String token) {
        // The token never goes into logs.
        @Override
        public String toString() {
            return "Identity[node=" + node + "]";
        }
    }

    private final Path file;

    public IdentityFile(Path workDir) {
        this.file = workDir.resolve(NAME);
    }

    public Path path() {
        return file;
    }

    /**
     * The stored identity of {@code node}, if there is one. A file for another name (the work
     * directory was reused under a new name) counts as none; a malformed one is an error that
     * names the file, never silently replaced, since replacing it loses the node's name.
     */
    public Optional<Identity> load(String node) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_BYTES) {
            throw new IOException(file + " is not a node identity file (not a regular file, or over "
                    + MAX_BYTES + " bytes); move it away to join again");
        }
        Identity identity;
        try {
            identity = Json.mapper().readValue(Files.readAllBytes(file), Identity.class);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not a valid node identity file: " + e.getOriginalMessage()
                    + "; move it away to join again", e);
        }
        if (identity.node() == null || identity.token() == null
                || !NodeTokens.nodeOf(identity.token()).equals(Optional.of(identity.node()))) {
            throw new IOException(file + " does not hold a node token for the node it names; move it away to join"
                    + " again");
        }
        return identity.node().equals(node) ? Optional.of(identity) : Optional.empty();
    }

    /** Writes {@code identity}, mode 0600, replacing the file in one step. */
    public void save(Identity identity) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), ".identity", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(temp, Json.mapper().writeValueAsBytes(identity));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
