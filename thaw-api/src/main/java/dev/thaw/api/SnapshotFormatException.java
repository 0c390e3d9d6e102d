package dev.thaw.api;

import java.nio.file.Path;

/**
 * A snapshot's metadata file ({@code info.json}) is missing, unreadable, malformed or of a format
 * version this Thaw does not read. The message always starts with the file's path.
 *
 * <p>Callers usually treat this as "no usable snapshot" and build a fresh one.
 */
public class SnapshotFormatException extends Exception {

    private final transient Path file;

    public SnapshotFormatException(Path file, String detail) {
        this(file, detail, null);
    }

    public SnapshotFormatException(Path file, String detail, Throwable cause) {
        super(file + ": " + detail, cause);
        this.file = file;
    }

    /** The metadata file the problem is in. */
    public Path file() {
        return file;
    }
}
