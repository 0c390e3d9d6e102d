package dev.thaw.cli.packaging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry image reference {@code REGISTRY/NAME:TAG}, with the registry always explicit (a host
 * with a dot or a port, or {@code localhost}): Thaw never guesses a default registry.
 */
public record ImageReference(String registry, String name, String tag) {
    private static final Pattern REGISTRY = Pattern.compile(
            "(localhost|\\[[0-9a-fA-F:]+\\]|[a-zA-Z0-9-]+(\\.[a-zA-Z0-9-]+)+|[a-zA-Z0-9-]+)(:[0-9]{1,5})?");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern WHOLE = Pattern.compile("([^/]+)/([^:@]+):([^:@/]+)");

    /**
     * Parses {@code REGISTRY/NAME:TAG}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static ImageReference parse(String text) {
        Matcher whole = WHOLE.matcher(text);
        if (!whole.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not REGISTRY/NAME:TAG (e.g. registry.example:5000/thaw:0.1.0)");
        }
        String registry = whole.group(1);
        if (!REGISTRY.matcher(registry).matches() || !(registry.contains(".") || registry.contains(":")
                || registry.equals("localhost"))) {
            throw new IllegalArgumentException("'" + registry + "' in '" + text + "' is not a registry host: name it"
                    + " with a dot or a port (registry.example, 127.0.0.1:5000) or as localhost");
        }
        if (!NAME.matcher(whole.group(2)).matches()) {
            throw new IllegalArgumentException("'" + whole.group(2) + "' in '" + text + "' is not a repository name"
                    + " (lower-case letters, digits, and . _ - / between them)");
        }
        if (!TAG.matcher(whole.group(3)).matches()) {
            throw new IllegalArgumentException("'" + whole.group(3) + "' in '" + text + "' is not a tag");
        }
        return new ImageReference(registry, whole.group(2), whole.group(3));
    }

    /** This reference with {@code suffix} appended to the name, e.g. thaw -> thaw-node. */
    public ImageReference withNameSuffix(String suffix) {
        return new ImageReference(registry, name + suffix, tag);
    }

    /** {@code REGISTRY/NAME}, the repository. */
    public String repository() {
        return registry + "/" + name;
    }

    /** Whether the registry is on this machine, where plain HTTP is accepted (as Docker does). */
    public boolean isLoopback() {
        String host = registry.replaceFirst(":[0-9]+$", "");
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    @Override
    public String toString() {
        return repository() + ":" + tag;
    }
}
