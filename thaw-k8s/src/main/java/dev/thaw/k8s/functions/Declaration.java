package dev.thaw.k8s.functions;

import dev.thaw.api.FunctionName;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionSettings;
import dev.thaw.k8s.crd.ThawFunctionSpec;
import java.util.regex.Pattern;

/**
 * A ThawFunction's spec, checked: what the gateway deploys from it.
 *
 * @param namespace the Kubernetes (and Thaw) namespace
 * @param name the function's name, a DNS label and a valid Thaw function name
 * @param digest the code archive's SHA-256, 64 lower-case hex digits
 * @param settings the settings with defaults filled in
 * @param generation the object's {@code metadata.generation}
 */
public record Declaration(String namespace, String name, String digest, FunctionSettings settings, long generation) {
    static final String PREFIX = "sha256:";
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    /** The spec's {@code archive} field for the archive with SHA-256 {@code digest}. */
    public static String archiveRef(String digest) {
        return PREFIX + digest;
    }

    /**
     * Checks what can be checked without the store.
     *
     * @throws InvalidFunction naming the field and the rule it breaks
     */
    public static Declaration of(ThawFunction object) throws InvalidFunction {
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        if (name == null || !DNS_LABEL.matcher(name).matches() || !FunctionName.isValid(name)) {
            throw new InvalidFunction(InvalidFunction.INVALID_NAME, "metadata.name '" + name + "' is not a function"
                    + " name: it must be a DNS label that starts with a letter (a-z, then at most 62 of a-z, 0-9"
                    + " and '-', not ending in '-'); rename the ThawFunction");
        }
        ThawFunctionSpec spec = object.getSpec();
        if (spec == null || spec.archive() == null) {
            throw new InvalidFunction(InvalidFunction.INVALID_ARCHIVE, "spec.archive is missing: it must name the"
                    + " function's code archive in the store as sha256:<64 hex digits> (thaw deploy"
                    + " --kubernetes-namespace uploads it and writes this field)");
        }
        String archive = spec.archive();
        if (!archive.startsWith(PREFIX) || !DIGEST.matcher(archive.substring(PREFIX.length())).matches()) {
            throw new InvalidFunction(InvalidFunction.INVALID_ARCHIVE, "spec.archive '" + abbreviate(archive)
                    + "' is not sha256:<64 lower-case hex digits>");
        }
        FunctionSettings settings;
        try {
            settings = (spec.settings() == null ? ThawFunctionSettings.NONE : spec.settings()).resolve();
        } catch (IllegalArgumentException e) {
            throw new InvalidFunction(InvalidFunction.INVALID_SETTINGS, "spec.settings: " + e.getMessage());
        }
        Long generation = object.getMetadata().getGeneration();
        return new Declaration(namespace, name, archive.substring(PREFIX.length()), settings,
                generation == null ? 0 : generation);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
