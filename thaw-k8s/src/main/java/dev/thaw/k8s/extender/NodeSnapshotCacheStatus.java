package dev.thaw.k8s.extender;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.control.extender.NodeCacheState;
import dev.thaw.control.extender.RevisionOfPod;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a NodeSnapshotCache ({@code thaw.dev/v1alpha1}) from its untyped form, so
 * the extender depends on the resource's JSON shape only, not on a Java class.
 * Reads only what scheduling needs: capacity and how much of each revision's snapshot the node holds.
 */
final class NodeSnapshotCacheStatus {
    private NodeSnapshotCacheStatus() {
    }

    /**
     * The node's state; empty while no status has been written yet.
     *
     * @throws IllegalArgumentException when the status is there but not usable, saying why
     */
    static Optional<NodeCacheState> read(GenericKubernetesResource resource) {
        Object raw = resource.getAdditionalProperties().get("status");
        if (raw == null) {
            return Optional.empty();
        }
        JsonNode status = Json.mapper().valueToTree(raw);
        if (!status.isObject()) {
            throw new IllegalArgumentException("status is not an object");
        }
        JsonNode revisions = status.get("revisions");
        Set<String> keys = new HashSet<>();
        Map<String, Double> partial = new HashMap<>();
        if (revisions != null && !revisions.isNull()) {
            if (!revisions.isArray()) {
                throw new IllegalArgumentException("status.revisions is not a list");
            }
            for (int i = 0; i < revisions.size(); i++) {
                JsonNode entry = revisions.get(i);
                String function = text(entry.get("function"));
                String revision = text(entry.get("revision"));
                if (function == null || revision == null) {
                    throw new IllegalArgumentException("status.revisions[" + i + "] needs 'function' and 'revision'");
                }
                String key = RevisionOfPod.key(function, revision);
                double share = share(entry, i);
                if (share >= 1) {
                    keys.add(key);
                } else if (share > 0) {
                    partial.merge(key, share, Math::max);
                }
            }
            keys.forEach(partial::remove);
        }
        return Optional.of(new NodeCacheState(keys, partial, count(status, "memoryMibFree"),
                count(status, "memoryMibTotal"), Math.toIntExact(count(status, "slotsFree")),
                Math.toIntExact(count(status, "slotsTotal"))));
    }

    /**
     * The share of the snapshot the entry says the node holds: {@code bytes / totalBytes}, or 1 for an entry
     * without {@code totalBytes} (or 0 there), as node agents that list whole snapshots only write.
     */
    private static double share(JsonNode entry, int i) {
        JsonNode total = entry.get("totalBytes");
        if (total == null || total.isNull() || (total.isIntegralNumber() && total.canConvertToLong()
                && total.asLong() == 0)) {
            return 1;
        }
        String at = "status.revisions[" + i + "]";
        if (!total.isIntegralNumber() || !total.canConvertToLong() || total.asLong() < 0) {
            throw new IllegalArgumentException(at + ".totalBytes is " + total + ", not a byte count");
        }
        JsonNode bytes = entry.get("bytes");
        if (bytes == null || !bytes.isIntegralNumber() || !bytes.canConvertToLong() || bytes.asLong() < 0
                || bytes.asLong() > total.asLong()) {
            throw new IllegalArgumentException(at + ".bytes is " + (bytes == null ? "missing" : bytes)
                    + ", not a byte count of at most totalBytes " + total.asLong());
        }
        long present = bytes.asLong();
        return present == total.asLong() ? 1 : Math.min((double) present / total.asLong(), Math.nextDown(1.0));
    }

    /** A string, or an integer for revisions written as numbers. */
    private static String text(JsonNode value) {
        if (value != null && (value.isTextual() || value.isIntegralNumber()) && !value.asText().isBlank()) {
            return value.asText();
        }
        return null;
    }

    private static long count(JsonNode status, String field) {
        JsonNode value = status.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            throw new IllegalArgumentException("status." + field + " is " + (value == null ? "missing" : value)
                    + ", not a count");
        }
        if (value.asLong() > Integer.MAX_VALUE && field.startsWith("slots")) {
            throw new IllegalArgumentException("status." + field + " is out of range: " + value);
        }
        return value.asLong();
    }
}
