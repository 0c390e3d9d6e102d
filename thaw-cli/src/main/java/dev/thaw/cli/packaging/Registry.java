package dev.thaw.cli.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.sandbox.ExternalCommand;
import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Talks to an image registry through skopeo: what a tag points to, and pushes that are checked
 * before (a tag that points to another image is not moved unless asked) and after (the tag must
 * then resolve to exactly the pushed manifest digest, or the push is reported as failed).
 * Credentials go to skopeo in a private auth file, never on its command line.
 */
public final class Registry {
    /** Environment variables the credentials come from (both or neither). */
    public static final String USERNAME_ENV = "THAW_REGISTRY_USERNAME";
    public static final String PASSWORD_ENV = "THAW_REGISTRY_PASSWORD";

    private static final Duration INSPECT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user name and password for the registry. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", password hidden]";
        }

        /** From {@link #USERNAME_ENV} and {@link #PASSWORD_ENV}; empty when neither is set. */
        public static Optional<Credentials> fromEnvironment(Map<String, String> env) {
            String user = env.get(USERNAME_ENV);
            String password = env.get(PASSWORD_ENV);
            if ((user == null || user.isEmpty()) && (password == null || password.isEmpty())) {
                return Optional.empty();
            }
            if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
                throw new IllegalArgumentException("set both " + USERNAME_ENV + " and " + PASSWORD_ENV
                        + " (or neither, to use skopeo's own credentials)");
            }
            return Optional.of(new Credentials(user, password));
        }
    }

    /** A failed registry operation, with a message that says what to do. */
    public static final class RegistryException extends IOException {
        public RegistryException(String message) {
            super(message);
        }
    }

    private final Optional<Credentials> credentials;
    private final boolean insecure;

    /**
     * @param insecure accept plain HTTP and unverified TLS for every registry; loopback
     *     registries always get that
     */
    public Registry(Optional<Credentials> credentials, boolean insecure) {
        this.credentials = credentials;
        this.insecure = insecure;
    }

    /** The manifest digest {@code ref} points to, or empty if the registry has no such tag. */
    public Optional<String> digestOf(ImageReference ref) throws IOException {
        return inspectDigest(ref, "docker://" + ref);
    }

    /** Whether the repository of {@code ref} holds the manifest {@code digest}. */
    public boolean hasManifest(ImageReference ref, String digest) throws IOException {
        return inspectDigest(ref, "docker://" + ref.repository() + "@" + digest).isPresent();
    }

    /**
     * Pushes image {@code refName} of {@code layout} (manifest {@code digest}) as {@code ref}.
     *
     * @param replaceTag move the tag if it points to another image; otherwise that is an error
     * @return true if the image was pushed, false if the tag already pointed to it
     * @throws RegistryException when the registry cannot be reached, refuses the credentials,
     *     the tag points elsewhere, or the tag does not resolve to {@code digest} after the push
     */
    public boolean push(Path layout, String refName, String digest, ImageReference ref, boolean replaceTag)
            throws IOException {
        Optional<String> current = digestOf(ref);
        if (current.isPresent() && current.get().equals(digest)) {
            return false;
        }
        if (current.isPresent() && !replaceTag) {
            throw new RegistryException(ref + " already points to " + current.get() + ", not to this image ("
                    + digest + "); push under another tag, or pass --replace-tag to move it");
        }
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--preserve-digests",
                "--retry-times", "2", "--dest-tls-verify=" + tlsVerify(ref)));
        withAuthFile(ref, authFile -> {
            authFile.ifPresent(f -> command.addAll(List.of("--dest-authfile", f.toString())));
            command.addAll(List.of("oci:" + layout + ":" + refName, "docker://" + ref));
            ExternalCommand.Result result = ExternalCommand.run(command, null, COPY_TIMEOUT, Map.of());
            if (!result.succeeded()) {
                throw explain(ref, "push to", result.stderr());
            }
            return null;
        });
        Optional<String> after = digestOf(ref);
        if (after.isEmpty() || !after.get().equals(digest)) {
            throw new RegistryException("pushed " + ref + ", but it now points to " + after.orElse("nothing")
                    + " instead of " + digest + " (another push to the same tag at the same time?)");
        }
        return true;
    }

    /** Writes image {@code refName} of {@code layout} as a {@code docker load}-able tarball tagged {@code tag}. */
    public static void dockerArchive(Path layout, String refName, Path tarball, String tag) throws IOException {
        Files.deleteIfExists(tarball);
        ExternalCommand.Result result = ExternalCommand.run(List.of("skopeo", "--insecure-policy", "copy",
                "oci:" + layout + ":" + refName, "docker-archive:" + tarball + ":" + tag), null, COPY_TIMEOUT, Map.of());
        if (!result.succeeded()) {
            throw new IOException("cannot write " + tarball + ": " + ExternalCommand.lastLines(result.stderr(), 5));
        }
    }

    private Optional<String> inspectDigest(ImageReference ref, String target) throws IOException {
        return withAuthFile(ref, authFile -> {
            List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--no-tags", "--format",
                    "{{.Digest}}", "--tls-verify=" + tlsVerify(ref)));
            authFile.ifPresent(f -> command.addAll(List.of("--authfile", f.toString())));
            command.add(target);
            ExternalCommand.Result result = ExternalCommand.run(command, null, INSPECT_TIMEOUT, Map.of());
            if (result.succeeded()) {
                return Optional.of(result.stdout().strip());
            }
            String error = result.stderr().toLowerCase(Locale.ROOT);
            if (error.contains("manifest unknown") || error.contains("not found")) {
                return Optional.empty();
            }
            throw explain(ref, "read from", result.stderr());
        });
    }

    private boolean tlsVerify(ImageReference ref) {
        return !(insecure || ref.isLoopback());
    }

    static RegistryException explain(ImageReference ref, String action, String stderr) {
        String lower = stderr.toLowerCase(Locale.ROOT);
        String tail = ExternalCommand.lastLines(stderr.strip(), 3);
        if (lower.contains("unauthorized") || lower.contains("authentication required") || lower.contains("denied")) {
            return new RegistryException("registry " + ref.registry() + " refused the credentials (" + USERNAME_ENV
                    + "/" + PASSWORD_ENV + ") to " + action + " " + ref.repository() + "; nothing was pushed: "
                    + tail);
        }
        if (lower.contains("connection refused") || lower.contains("no such host") || lower.contains("i/o timeout")
                || lower.contains("network is unreachable") || lower.contains("dial tcp")) {
            return new RegistryException("registry " + ref.registry() + " is not reachable; nothing was pushed: "
                    + tail);
        }
        if (lower.contains("server gave http response to https client")) {
            return new RegistryException("registry " + ref.registry() + " speaks plain HTTP; pass --insecure-registry"
                    + " to allow it: " + tail);
        }
        return new RegistryException("cannot " + action + " " + ref + ": " + tail);
    }

    private interface WithAuth<T> {
        T run(Optional<Path> authFile) throws IOException;
    }

    /** Runs {@code body} with a private auth file for {@code ref}'s registry, deleted afterwards. */
    private <T> T withAuthFile(ImageReference ref, WithAuth<T> body) throws IOException {
        if (credentials.isEmpty()) {
            return body.run(Optional.empty());
        }
        Path dir = Files.createTempDirectory("thaw-registry-auth", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        try {
            ObjectNode auths = JSON.createObjectNode();
            String token = Base64.getEncoder().encodeToString((credentials.get().username() + ":"
                    + credentials.get().password()).getBytes(StandardCharsets.UTF_8));
            auths.putObject("auths").putObject(ref.registry()).put("auth", token);
            Path file = dir.resolve("auth.json");
            Files.writeString(file, JSON.writeValueAsString(auths));
            return body.run(Optional.of(file));
        } finally {
            FileTrees.deleteTree(dir);
        }
    }
}
