package dev.thaw.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * The entry point of a function: a Python module and a function in it, written
 * {@code module:function} (e.g. {@code main:handle} or {@code pkg.sub.mod:run}).
 *
 * <p>Contract: {@code module} is a dotted path whose parts each match
 * {@code [A-Za-z_][A-Za-z0-9_]*}; {@code function} matches {@code [A-Za-z_][A-Za-z0-9_]*}. In JSON
 * a handler is the single string {@code "module:function"}.
 */
public record Handler(String module, String function) {

    private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
    private static final Pattern MODULE = Pattern.compile(IDENTIFIER + "(\\." + IDENTIFIER + ")*");
    private static final Pattern FUNCTION = Pattern.compile(IDENTIFIER);

    /** @throws IllegalArgumentException if either part is null or not a valid Python name */
    public Handler {
        if (module == null || !MODULE.matcher(module).matches()) {
            throw new IllegalArgumentException("handler module " + quote(module)
                    + " is not a dotted Python module path such as 'main' or 'pkg.mod'"
                    + " (each part must match " + IDENTIFIER + ")");
        }
        if (function == null || !FUNCTION.matcher(function).matches()) {
            throw new IllegalArgumentException("handler function " + quote(function)
                    + " is not a Python identifier (must match " + IDENTIFIER + ")");
        }
    }

    /**
     * Parses {@code "module:function"}.
     *
     * @throws IllegalArgumentException if {@code text} is null, does not contain exactly one
     *     {@code ':'}, or either part is invalid; the message quotes {@code text}
     */
    @JsonCreator
    public static Handler parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon < 0 || text.indexOf(':', colon + 1) >= 0) {
            throw new IllegalArgumentException("invalid handler " + quote(text)
                    + ": expected the form 'module:function', e.g. 'main:handle'");
        }
        try {
            return new Handler(text.substring(0, colon), text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid handler " + quote(text) + ": " + e.getMessage(), e);
        }
    }

    /** Returns {@code "module:function"}, the form {@link #parse} accepts. */
    @JsonValue
    @Override
    public String toString() {
        return module + ":" + function;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
