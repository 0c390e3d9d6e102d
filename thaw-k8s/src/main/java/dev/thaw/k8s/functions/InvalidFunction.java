package dev.thaw.k8s.functions;

/**
 * Why a ThawFunction cannot be deployed as written: its {@code Ready} condition says so with
 * {@link #reason} and the message, and nothing is deployed from it.
 */
public final class InvalidFunction extends Exception {
    public static final String INVALID_NAME = "InvalidName";
    public static final String INVALID_ARCHIVE = "InvalidArchive";
    public static final String ARCHIVE_MISSING = "ArchiveMissing";
    public static final String INVALID_SETTINGS = "InvalidSettings";
    public static final String NAME_CONFLICT = "NameConflict";
    public static final String BUILD_FAILED = "BuildFailed";
    public static final String QUOTA_EXCEEDED = "QuotaExceeded";

    private final String reason;

    public InvalidFunction(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
