package dev.thaw.snapshot.cache;

import java.util.regex.Pattern;

/**
 * Cache keys: {@code /}-separated names such as {@code snapshots/hello/3f2a…} or
 * {@code images/85ab…}. Each key is also a relative path under the cache root, so every segment is
 * checked: nothing can climb out of the root, and no key can name the cache's own dot-files.
 */
final class CacheKeys {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private CacheKeys() {}

    /** Returns {@code key} if every segment is valid, else throws IllegalArgumentException saying why. */
    static String check(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("cache key must not be empty");
        }
        for (String segment : key.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("invalid cache key '" + key + "': segment '" + segment
                        + "' must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
        }
        return key;
    }

    static boolean isValid(String key) {
        try {
            check(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether one key's directory would lie inside the other's. */
    static boolean nested(String a, String b) {
        return a.startsWith(b + "/") || b.startsWith(a + "/");
    }
}
