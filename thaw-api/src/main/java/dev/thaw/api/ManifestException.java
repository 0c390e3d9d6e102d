package dev.thaw.api;

import java.nio.file.Path;

/**
 * A function manifest ({@code thaw.yaml}) is missing, unreadable or invalid.
 *
 * <p>The message always starts with the manifest's path, then says what is wrong, e.g.
 * {@code /fn/hello/thaw.yaml: field 'memory_mib': expected an integer between 64 and 16384, got
 * a string ('lots')}.
 */
public class ManifestException extends Exception {

    private final transient Path manifest;
    private final String detail;

    public ManifestException(Path manifest, String detail) {
        this(manifest, detail, null);
    }

    public ManifestException(Path manifest, String detail, Throwable cause) {
        super(manifest + ": " + detail, cause);
        this.manifest = manifest;
        this.detail = detail;
    }

    /** The manifest file the problem is in. */
    public Path manifest() {
        return manifest;
    }

    /** The message without the leading path. */
    public String detail() {
        return detail;
    }
}
