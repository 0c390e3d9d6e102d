package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed, checked access to the top-level fields of a parsed manifest.
 *
 * <p>Every failure is a {@link ManifestException} naming the file and the field, saying what was
 * expected and what was found. Optional scalar fields that are present without a value are an
 * error (probably a forgotten value); optional {@code env}/{@code packages} without a value are
 * empty (all entries commented out).
 */
final class ManifestFields {

    private final Path file;
    private final ObjectNode root;

    ManifestFields(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    ManifestException error(String detail) {
        return new ManifestException(file, detail);
    }

    ManifestException fieldError(String field, String detail) {
        return error("field '" + field + "': " + detail);
    }

    /** Fails on the first key not in {@code known}, suggesting the closest known key. */
    void rejectUnknownKeys(List<String> known) throws ManifestException {
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String key = field.getKey();
            if (!known.contains(key)) {
                String suggestion = closest(key, known);
                throw error("unknown field '" + key + "'"
                        + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
                        + "; allowed fields: " + String.join(", ", known));
            }
        }
    }

    /** The field's raw node, or null when absent. */
    JsonNode optionalNode(String field) {
        return root.get(field);
    }

    String requiredString(String field, String expected) throws ManifestException {
        JsonNode node = root.get(field);
        if (node == null) {
            throw error("missing required field '" + field + "' (expected " + expected + ")");
        }
        if (!node.isTextual()) {
            throw fieldError(field, "expected " + expected + ", got " + describe(node));
        }
        return node.textValue();
    }

    long optionalInteger(String field, long min, long max, long defaultValue, String unit)
            throws ManifestException {
        JsonNode node = root.get(field);
        if (node == null) {
            return defaultValue;
        }
        String expected = "an integer between " + min + " and " + max + unit;
        if (node.isNull()) {
            throw fieldError(field, "has no value; expected " + expected
                    + " (remove the line to use the default " + defaultValue + ")");
        }
        if (!node.isIntegralNumber()) {
            throw fieldError(field, "expected " + expected + ", got " + describe(node));
        }
        if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            throw fieldError(field, "expected " + expected + ", got " + node.asText());
        }
        return node.longValue();
    }

    /** A mapping of names to scalars; the tree already holds scalars here as written text. */
    Map<String, String> optionalStringMap(String field) throws ManifestException {
        JsonNode node = root.get(field);
        Map<String, String> result = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isObject()) {
            throw fieldError(field, "expected a mapping of NAME: value, got " + describe(node));
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isTextual()) {
                throw fieldError(field, "value of '" + entry.getKey() + "': expected a string, number or boolean, got "
                        + describe(value) + (value.isNull() ? " (write '' for an empty string)" : ""));
            }
            result.put(entry.getKey(), value.textValue());
        }
        return result;
    }

    List<String> optionalStringList(String field, String expectedItem) throws ManifestException {
        JsonNode node = root.get(field);
        List<String> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isArray()) {
            throw fieldError(field, "expected a list of " + expectedItem + ", got " + describe(node));
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw fieldError(field, "item " + (i + 1) + ": expected " + expectedItem + ", got " + describe(item));
            }
            result.add(item.textValue());
        }
        return result;
    }

    /** A short human description of a node's type and value, for "got ..." in messages. */
    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "a string ('" + node.textValue() + "')";
        } else if (node.isIntegralNumber()) {
            return "an integer (" + node.asText() + ")";
        } else if (node.isNumber()) {
            return "a decimal number (" + node.asText() + ")";
        } else if (node.isBoolean()) {
            return "a boolean (" + node.asText() + ")";
        } else if (node.isNull()) {
            return "no value";
        } else if (node.isArray()) {
            return "a list";
        } else if (node.isObject()) {
            return "a mapping";
        }
        return "an embedded binary value";
    }

    /** The known key within edit distance 2 of {@code key}, or null: catches typos. */
    private static String closest(String key, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
