package dev.thaw.snapshot.store;

import dev.thaw.api.FunctionId;
import java.util.regex.Pattern;

/**
 * The store's key layout, and the checks that keep a key from escaping it.
 *
 * <ul>
 *   <li>{@code snapshots/<function>/<revision>/}: one snapshot's signed manifest
 *   <li>{@code chunks/<sha256>}: one snapshot chunk, shared ({@link ChunkTransfer})
 *   <li>{@code images/<digest>/}: one root file system image bundle
 *   <li>{@code revisions/<namespace>/<revision>}: the function whose snapshot of a revision others in
 *       the namespace reuse ({@link SameRevision})
 * </ul>
 *
 * Names that end up in keys are checked here, before anything is written, so
 * a name like {@code ../x} can never reach a file path or another function's prefix.
 */
public final class StoreKeys {

    /** Revisions and digests: a plain identifier, never a path. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String NAME_RULE = "must start with a letter or digit, followed by at most 127 letters,"
            + " digits, '.', '_' or '-' (no '/', '\\' or '..')";
    private static final int MAX_KEY_LENGTH = 1024;

    public static final String SNAPSHOTS = "snapshots/";
    public static final String IMAGES = "images/";

    private StoreKeys() {}

    /** {@code snapshots/<function>/}: every revision of one function. */
    public static String functionPrefix(String function) {
        return SNAPSHOTS + FunctionId.requireKey(function) + "/";
    }

    /** {@code snapshots/<function>/<revision>/}. */
    public static String snapshotPrefix(String function, String revision) {
        return functionPrefix(function) + requireName("revision", revision) + "/";
    }

    /** {@code images/<digest>/}. */
    public static String imagePrefix(String digest) {
        return IMAGES + requireName("image digest", digest) + "/";
    }

    /**
     * Returns {@code value} if it is a valid revision or digest.
     *
     * @throws IllegalArgumentException naming {@code field} and the value otherwise
     */
    public static String requireName(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is missing (null); it " + NAME_RULE);
        }
        if (value.contains("..") || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + field + " '" + printable(value) + "': it " + NAME_RULE);
        }
        return value;
    }

    /**
     * Returns {@code key} if it is a relative, {@code /}-separated key whose segments are
     * non-empty and not {@code .} or {@code ..}, with no {@code \} or NUL.
     */
    public static String requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("object key must not be empty");
        }
        requireKeyText(key, false);
        return key;
    }

    /** Like {@link #requireKey} but for a listing prefix: empty is allowed, and it may end with {@code /}. */
    public static String requirePrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("key prefix must not be null");
        }
        if (!prefix.isEmpty()) {
            requireKeyText(prefix, true);
        }
        return prefix;
    }

    private static void requireKeyText(String key, boolean prefix) {
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("object key is " + key.length() + " characters long; at most "
                    + MAX_KEY_LENGTH + " are allowed");
        }
        if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("object key '" + printable(key) + "' contains '\\' or NUL");
        }
        String body = prefix && key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("object key '" + printable(key)
                        + "' is not a plain relative key (empty, '.' or '..' segment, or a leading '/')");
            }
        }
    }

    private static String printable(String value) {
        return value.replace("\0", "\\0");
    }
}
