package dev.thaw.cli;

import dev.thaw.api.Json;
import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where {@code thaw up} leaves the running cluster's address, its admin token and the token of its
 * {@code default} namespace, so {@code thaw deploy}, {@code invoke}, {@code ls} and {@code status}
 * find it without flags. Readable by its owner only: it holds tokens.
 *
 * @param token the admin token, which the CLI uses
 * @param defaultToken a token of the {@code default} namespace only, to hand to its users; null if none
 */
record ClusterFile(URI gateway, String token, String defaultToken) {

    static Path path() {
        return ThawHome.fromEnvironment().root().resolve("cluster.json");
    }

    void write() throws IOException {
        Path file = path();
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), ".cluster", ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, Json.mapper().writeValueAsBytes(this));
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static ClusterFile read() throws IOException {
        Path file = path();
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no running cluster found (" + file + " is missing): start one with "
                    + "'thaw up', or give --gateway and $THAW_TOKEN");
        }
        return Json.mapper().readValue(Files.readAllBytes(file), ClusterFile.class);
    }

    void removeIfOurs() {
        try {
            if (Files.exists(path()) && read().equals(this)) {
                Files.deleteIfExists(path());
            }
        } catch (IOException | RuntimeException ignored) {
            // another cluster's file, or none: leave it
        }
    }

    // The token never goes into logs or messages.
    @Override
    public String toString() {
        return "ClusterFile[gateway=" + gateway + "]";
    }
}
