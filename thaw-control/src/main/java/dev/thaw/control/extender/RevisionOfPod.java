package dev.thaw.control.extender;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Which function revision a pod runs, from {@code thaw.dev/function} and
 * {@code thaw.dev/revision} in its annotations or labels. An annotation wins over a
 * label of the same name: labels are limited to 63 characters and a narrower
 * character set, so an annotation is where a long name has to go.
 */
public final class RevisionOfPod {
    public static final String FUNCTION = "thaw.dev/function";
    public static final String REVISION = "thaw.dev/revision";

    private RevisionOfPod() {
    }

    /** The cache key {@code function/revision}, or empty for a pod that is not a Thaw function. */
    public static Optional<String> of(JsonNode pod) {
        if (pod == null || !pod.isObject()) {
            return Optional.empty();
        }
        JsonNode metadata = pod.path("metadata");
        String function = value(metadata, FUNCTION);
        String revision = value(metadata, REVISION);
        return function == null || revision == null ? Optional.empty() : Optional.of(key(function, revision));
    }

    public static String key(String function, String revision) {
        return function + "/" + revision;
    }

    private static String value(JsonNode metadata, String name) {
        for (String field : new String[] {"annotations", "labels"}) {
            JsonNode value = metadata.path(field).path(name);
            if (value.isTextual() && !value.asText().isBlank()) {
                return value.asText().strip();
            }
        }
        return null;
    }
}
