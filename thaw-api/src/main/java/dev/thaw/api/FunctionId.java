package dev.thaw.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function's identity: the namespace it lives in and its name there, written {@code namespace/name}.
 *
 * <p>Namespaces are DNS labels (RFC 1123: at most 63 lower-case letters, digits and '-', starting and
 * ending with a letter or digit), so they map onto Kubernetes namespaces one to one. Nodes, the snapshot
 * store and caches name a function by its {@link #key() key}, a single path segment: the bare name in
 * the {@value #DEFAULT} namespace (so stores written before namespaces existed keep serving) and
 * {@code namespace.name} in any other. A name never contains '.', so a key is never ambiguous.
 */
public record FunctionId(String namespace, String name) {
    /** The namespace of functions whose caller names none. */
    public static final String DEFAULT = "default";

    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final String NAMESPACE_RULE = "a namespace is a DNS label: 1 to 63 lower-case letters, digits"
            + " or '-', starting and ending with a letter or digit";

    public FunctionId {
        requireNamespace(namespace);
        FunctionName.requireValid(name);
    }

    /** Whether {@code namespace} is a valid namespace name; false for null. */
    public static boolean isNamespace(String namespace) {
        return namespace != null && NAMESPACE.matcher(namespace).matches();
    }

    /**
     * Returns {@code namespace} if it is a DNS label.
     *
     * @throws IllegalArgumentException otherwise; the message quotes it and states the rule
     */
    public static String requireNamespace(String namespace) {
        if (namespace == null) {
            throw new IllegalArgumentException("namespace is missing (null); " + NAMESPACE_RULE);
        }
        if (!isNamespace(namespace)) {
            throw new IllegalArgumentException("invalid namespace '" + (namespace.length() > 80
                    ? namespace.substring(0, 80) + "..." : namespace) + "': " + NAMESPACE_RULE);
        }
        return namespace;
    }

    /** {@code name} in the {@value #DEFAULT} namespace. */
    public static FunctionId ofDefault(String name) {
        return new FunctionId(DEFAULT, name);
    }

    /** The single-segment key nodes, stores and caches use for this function. */
    public String key() {
        return namespace.equals(DEFAULT) ? name : namespace + "." + name;
    }

    /**
     * The function a {@link #key()} names.
     *
     * @throws IllegalArgumentException when {@code key} is not one
     */
    public static FunctionId ofKey(String key) {
        Objects.requireNonNull(key, "key");
        int dot = key.indexOf('.');
        if (dot < 0) {
            return ofDefault(key);
        }
        String namespace = key.substring(0, dot);
        if (namespace.equals(DEFAULT)) {
            // One spelling per function, so a key is also a unique store prefix.
            throw new IllegalArgumentException("invalid function name '" + key + "': the default namespace's"
                    + " functions are keyed by their bare name");
        }
        try {
            return new FunctionId(namespace, key.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid function name '" + key + "' (a function is keyed <name> in"
                    + " the default namespace, <namespace>.<name> in others): " + e.getMessage(), e);
        }
    }

    /** Whether {@code key} is a valid {@link #key()}; false for null. */
    public static boolean isKey(String key) {
        if (key == null) {
            return false;
        }
        try {
            ofKey(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Returns {@code key} if it is a valid function key.
     *
     * @throws IllegalArgumentException otherwise, saying why
     */
    public static String requireKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("function is missing (null)");
        }
        ofKey(key);
        return key;
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
