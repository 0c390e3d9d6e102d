package dev.thaw.api;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a function is and how to run it: the validated content of its {@code thaw.yaml}.
 *
 * <p>Contract, enforced by the constructor:
 *
 * <ul>
 *   <li>{@code name} is valid per {@link FunctionName}; {@code runtime}, {@code handler},
 *       {@code shape}, {@code env}, {@code timeout} and {@code packages} are non-null.
 *   <li>{@code env} keys match {@code ^[A-Za-z_][A-Za-z0-9_]*$} and do not start with
 *       {@value #RESERVED_ENV_PREFIX}; values are non-null and contain no NUL character. The copy
 *       kept is immutable and sorted by key, so iteration order is deterministic.
 *   <li>{@code timeout} is in (0, {@link #MAX_TIMEOUT}] and a whole number of milliseconds (the
 *       unit of {@code timeout_ms}, so that manifests round-trip exactly).
 *   <li>{@code packages} are Debian package names ({@code ^[a-z0-9][a-z0-9+.-]+$}) to add to the
 *       function's base root filesystem; the copy kept is immutable, sorted and de-duplicated.
 * </ul>
 *
 * @param packages extra Debian packages installed into the function's root filesystem
 */
public record FunctionManifest(
        String name,
        Runtime runtime,
        Handler handler,
        MachineShape shape,
        Map<String, String> env,
        Duration timeout,
        List<String> packages) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);

    /** Env keys with this prefix are set by Thaw itself and may not be declared by a function. */
    public static final String RESERVED_ENV_PREFIX = "THAW_";

    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DEBIAN_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");

    /**
     * @throws IllegalArgumentException if a value breaks the contract above
     * @throws NullPointerException if a component is null
     */
    public FunctionManifest {
        FunctionName.requireValid(name);
        Objects.requireNonNull(runtime, "runtime must not be null");
        Objects.requireNonNull(handler, "handler must not be null");
        Objects.requireNonNull(shape, "shape must not be null");
        Objects.requireNonNull(env, "env must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        Objects.requireNonNull(packages, "packages must not be null");
        checkTimeout(timeout);
        env = copyEnv(env);
        packages = copyPackages(packages);
    }

    /** A manifest with the default shape, timeout, no env and no extra packages. */
    public static FunctionManifest of(String name, Runtime runtime, Handler handler) {
        return new FunctionManifest(name, runtime, handler, MachineShape.DEFAULT, Map.of(), DEFAULT_TIMEOUT, List.of());
    }

    /**
     * Checks one env key; the message does not name the field, so callers can prefix their own.
     *
     * @throws IllegalArgumentException if the key is malformed or reserved
     */
    static void checkEnvKey(String key) {
        if (key == null || !ENV_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key " + (key == null ? "null" : "'" + key + "'")
                    + " is not a valid environment variable name (must match ^[A-Za-z_][A-Za-z0-9_]*$)");
        }
        if (key.startsWith(RESERVED_ENV_PREFIX)) {
            throw new IllegalArgumentException("key '" + key + "' is reserved: the " + RESERVED_ENV_PREFIX
                    + " prefix is for variables set by Thaw itself");
        }
    }

    /** Checks one env value (a NUL could not be passed to the guest process). */
    static void checkEnvValue(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException("value of '" + key + "' is null; expected a string");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value of '" + key + "' contains a NUL character");
        }
    }

    /** Checks one package name; the message does not name the field. */
    static void checkPackage(String pkg) {
        if (pkg == null || !DEBIAN_PACKAGE.matcher(pkg).matches()) {
            throw new IllegalArgumentException((pkg == null ? "null" : "'" + pkg + "'")
                    + " is not a valid Debian package name (must match ^[a-z0-9][a-z0-9+.-]+$,"
                    + " e.g. 'python3-pil')");
        }
    }

    private static void checkTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(
                    "timeout must be more than 0 and at most " + MAX_TIMEOUT.toMinutes() + " minutes, got " + timeout);
        }
        if (timeout.toNanosPart() % 1_000_000 != 0) {
            throw new IllegalArgumentException("timeout must be a whole number of milliseconds, got " + timeout);
        }
    }

    private static Map<String, String> copyEnv(Map<String, String> env) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            try {
                checkEnvKey(e.getKey());
                checkEnvValue(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("env: " + ex.getMessage(), ex);
            }
            sorted.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(sorted);
    }

    private static List<String> copyPackages(List<String> packages) {
        TreeSet<String> sorted = new TreeSet<>();
        for (String pkg : packages) {
            try {
                checkPackage(pkg);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("packages: " + ex.getMessage(), ex);
            }
            sorted.add(pkg);
        }
        return List.copyOf(sorted);
    }
}
