package dev.thaw.wire.v1.extender;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request from kube-scheduler ({@code extender/v1.ExtenderArgs}): the pod and its
 * candidate nodes, either as a full v1 NodeList ({@code nodes}) or, when the
 * extender is configured {@code nodeCacheCapable}, as names only ({@code nodenames}).
 *
 * <p>Read as a JSON tree, not bound to classes: Pod and Node objects carry far more
 * than is needed here, and new Kubernetes fields must not break the extender.
 *
 * @param pod the v1 Pod
 * @param nodeNames the candidate node names, in request order
 * @param nodeList the NodeList as sent, or null in the {@code nodenames} form;
 *     kept so a filter result can echo the surviving Node objects
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtenderArgs(JsonNode pod, @JsonProperty("nodenames") List<String> nodeNames,
        @JsonProperty("nodes") ObjectNode nodeList) {

    public ExtenderArgs {
        Objects.requireNonNull(pod, "pod");
        nodeNames = List.copyOf(nodeNames);
    }

    /** For a request in the {@code nodenames} form. */
    public static ExtenderArgs ofNames(JsonNode pod, List<String> nodeNames) {
        return new ExtenderArgs(pod, nodeNames, null);
    }

    public boolean namesOnly() {
        return nodeList == null;
    }

    /**
     * Parses kube-scheduler's JSON; anything that is not a usable ExtenderArgs is an
     * {@link IllegalArgumentException} saying what is wrong.
     */
    public static ExtenderArgs parse(byte[] json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("ExtenderArgs is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("ExtenderArgs could not be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("ExtenderArgs must be a JSON object");
        }
        JsonNode pod = root.get("pod");
        if (pod == null || !pod.isObject()) {
            throw new IllegalArgumentException("ExtenderArgs has no 'pod' object");
        }
        JsonNode names = root.get("nodenames");
        JsonNode nodes = root.get("nodes");
        if (names != null && !names.isNull()) {
            return ofNames(pod, names(names));
        }
        if (nodes != null && nodes.isObject()) {
            return new ExtenderArgs(pod, namesOf(nodes.get("items")), (ObjectNode) nodes);
        }
        throw new IllegalArgumentException("ExtenderArgs has neither 'nodenames' nor a 'nodes' NodeList");
    }

    private static List<String> names(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("'nodenames' must be an array of strings");
        }
        List<String> names = new ArrayList<>(array.size());
        for (JsonNode name : array) {
            if (!name.isTextual()) {
                throw new IllegalArgumentException("'nodenames' must be an array of strings, found " + name);
            }
            names.add(name.asText());
        }
        return names;
    }

    private static List<String> namesOf(JsonNode items) {
        if (items == null || items.isNull()) {
            return List.of();
        }
        if (!items.isArray()) {
            throw new IllegalArgumentException("'nodes.items' must be an array of Node objects");
        }
        List<String> names = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode name = items.get(i).path("metadata").path("name");
            if (!name.isTextual() || name.asText().isEmpty()) {
                throw new IllegalArgumentException("'nodes.items[" + i + "]' has no metadata.name");
            }
            names.add(name.asText());
        }
        return names;
    }
}
