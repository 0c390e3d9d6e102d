package dev.thaw.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code example_request} field of a manifest. Either a string (the body, sent as text) or a mapping:
 *
 * <pre>{@code
 * example_request:
 *   body: '[{"customer": "ada"}]'   # text; a YAML mapping or list here is sent as JSON
 *   file: sample.png                # or a file in the function directory (not both)
 *   content_type: image/png         # optional: default from the file's extension, application/json for a
 *                                   # mapping or list body, text/plain for a text body
 * }</pre>
 */
final class ExampleRequests {
    static final String BODY = "body";
    static final String FILE = "file";
    static final String CONTENT_TYPE = "content_type";
    private static final List<String> KEYS = List.of(BODY, FILE, CONTENT_TYPE);
    private static final String FIELD = FunctionManifests.EXAMPLE_REQUEST;

    /** What the manifest says, before any file is read: exactly one of body and file is set. */
    record Spec(byte[] body, String file, String contentType) {
    }

    private ExampleRequests() {}

    /** Checks the field's shape; empty when the manifest has none. */
    static Optional<Spec> spec(ManifestFields fields) throws ManifestException {
        JsonNode node = fields.optionalNode(FIELD);
        if (node == null) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(new Spec(node.textValue().getBytes(StandardCharsets.UTF_8), null, ContentTypes.TEXT));
        }
        if (!node.isObject()) {
            throw fields.fieldError(FIELD, "expected a string (the body) or a mapping with 'body' or 'file' and an "
                    + "optional 'content_type', got " + ManifestFields.describe(node));
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!KEYS.contains(entry.getKey())) {
                throw fields.fieldError(FIELD, "unknown key '" + entry.getKey() + "'; allowed: "
                        + String.join(", ", KEYS));
            }
        }
        JsonNode body = node.get(BODY);
        JsonNode file = node.get(FILE);
        if ((body == null) == (file == null)) {
            throw fields.fieldError(FIELD, "give exactly one of 'body' (the request itself) and 'file' (a file in "
                    + "the function directory)");
        }
        String contentType = null;
        JsonNode type = node.get(CONTENT_TYPE);
        if (type != null) {
            if (!type.isTextual()) {
                throw fields.fieldError(FIELD, "'content_type': expected a string such as application/json, got "
                        + ManifestFields.describe(type));
            }
            try {
                contentType = ContentTypes.requireValid(type.textValue());
            } catch (IllegalArgumentException e) {
                throw fields.fieldError(FIELD, "'content_type': " + e.getMessage());
            }
        }
        if (file != null) {
            if (!file.isTextual() || file.textValue().isBlank()) {
                throw fields.fieldError(FIELD, "'file': expected a path relative to the function directory, got "
                        + ManifestFields.describe(file));
            }
            Path relative = Path.of(file.textValue()).normalize();
            if (relative.isAbsolute() || relative.startsWith("..")) {
                throw fields.fieldError(FIELD, "'file': '" + file.textValue()
                        + "' must be a path inside the function directory");
            }
            return Optional.of(new Spec(null, relative.toString(), contentType));
        }
        byte[] bytes;
        String implied;
        if (body.isTextual()) {
            bytes = body.textValue().getBytes(StandardCharsets.UTF_8);
            implied = ContentTypes.TEXT;
        } else if (body.isObject() || body.isArray()) {
            try {
                bytes = Json.mapper().writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw fields.fieldError(FIELD, "'body' cannot be written as JSON: " + e.getOriginalMessage());
            }
            implied = ContentTypes.JSON;
        } else {
            throw fields.fieldError(FIELD, "'body': expected text, or a mapping or list to send as JSON, got "
                    + ManifestFields.describe(body) + " (quote scalars: body: '42')");
        }
        if (bytes.length > ExampleRequest.MAX_BYTES) {
            throw fields.fieldError(FIELD, "'body' is " + bytes.length + " bytes, over the limit of "
                    + ExampleRequest.MAX_BYTES);
        }
        return Optional.of(new Spec(bytes, null, contentType == null ? implied : contentType));
    }

    /** Reads the spec's file, if it names one, from {@code functionDir}. */
    static Optional<ExampleRequest> resolve(Optional<Spec> spec, Path functionDir, Path manifest)
            throws ManifestException {
        if (spec.isEmpty()) {
            return Optional.empty();
        }
        Spec s = spec.get();
        if (s.file() == null) {
            return Optional.of(new ExampleRequest(s.body(), s.contentType()));
        }
        Path file = functionDir.resolve(s.file());
        String prefix = "field '" + FIELD + "': file '" + s.file() + "' ";
        try {
            // A symbolic link must not lead out of the function directory.
            if (!file.toRealPath().startsWith(functionDir.toRealPath())) {
                throw new ManifestException(manifest, prefix + "leads outside the function directory");
            }
            if (!Files.isRegularFile(file)) {
                throw new ManifestException(manifest, prefix + "is not a regular file");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(ExampleRequest.MAX_BYTES + 1);
            }
            if (bytes.length > ExampleRequest.MAX_BYTES) {
                throw new ManifestException(manifest, prefix + "is over the limit of " + ExampleRequest.MAX_BYTES
                        + " bytes");
            }
            return Optional.of(new ExampleRequest(bytes,
                    s.contentType() == null ? ContentTypes.forFile(file) : s.contentType()));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ManifestException(manifest, prefix + "does not exist in " + functionDir, e);
        } catch (IOException e) {
            throw new ManifestException(manifest, prefix + "cannot be read: " + e, e);
        }
    }
}
