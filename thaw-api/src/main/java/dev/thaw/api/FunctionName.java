package dev.thaw.api;

import java.util.regex.Pattern;

/**
 * Validates function names.
 *
 * <p>A function name is used as a directory and file name (snapshot store, logs) and in URLs, so it
 * is deliberately a plain identifier: it matches {@code ^[a-z][a-z0-9_-]{0,62}$}. That excludes
 * {@code /}, {@code ..}, spaces and upper case (which would collide on case-insensitive file
 * systems).
 */
public final class FunctionName {

    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    private static final String RULE = "a function name must start with a lower-case letter a-z,"
            + " followed by at most 62 lower-case letters, digits, '_' or '-'"
            + " (no '/', '.', spaces or upper case)";

    private FunctionName() {}

    /** Whether {@code name} is a valid function name; false for null. */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid function name.
     *
     * @throws IllegalArgumentException otherwise; the message quotes the name and states the rule
     */
    public static String requireValid(String name) {
        if (name == null) {
            throw new IllegalArgumentException("function name is missing (null); " + RULE);
        }
        if (!VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid function name '" + name + "': " + RULE);
        }
        return name;
    }
}
