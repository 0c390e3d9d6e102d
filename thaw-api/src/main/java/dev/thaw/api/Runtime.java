package dev.thaw.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The language runtimes a function can be written for.
 *
 * <p>Each runtime has a stable lower-case {@linkplain #id() id}: the spelling used in
 * {@code thaw.yaml} and in JSON. Note that this type shadows {@link java.lang.Runtime} inside
 * this package.
 */
public enum Runtime {
    /** CPython 3, as shipped by the guest's base root filesystem. */
    PYTHON3("python3");

    private final String id;

    Runtime(String id) {
        this.id = id;
    }

    /** The stable id, e.g. {@code "python3"}. */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * Looks a runtime up by its {@linkplain #id() id} (exact, case-sensitive match).
     *
     * @throws IllegalArgumentException if {@code id} is null or unknown; the message lists the
     *     known runtimes
     */
    @JsonCreator
    public static Runtime fromId(String id) {
        for (Runtime runtime : values()) {
            if (runtime.id.equals(id)) {
                return runtime;
            }
        }
        String known = Arrays.stream(values()).map(Runtime::id).collect(Collectors.joining(", "));
        String shown = id == null ? "null" : "'" + id + "'";
        throw new IllegalArgumentException("unknown runtime " + shown + "; known runtimes: " + known);
    }
}
