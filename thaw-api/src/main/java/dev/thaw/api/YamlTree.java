package dev.thaw.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads YAML text into Jackson trees, one per document.
 *
 * <p>Why not {@code YAMLMapper.readTree}: it turns every plain scalar that looks like a number into
 * a number, so an env value written {@code 3.10} would become {@code "3.1"}, {@code 0755} would
 * become {@code "493"}, and {@code .inf} fails outright. Under the top-level keys named in
 * {@code verbatimKeys} this reader therefore keeps every non-null scalar as the text the author
 * wrote; elsewhere scalars get their usual YAML types, so type errors stay detectable.
 *
 * <p>Duplicate keys are a parse error rather than "last one wins".
 */
final class YamlTree {

    private static final YAMLMapper MAPPER =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private YamlTree() {}

    /**
     * Parses all documents in {@code yaml}. An empty text yields no documents; an empty document
     * (just {@code ---}) yields a {@code NullNode}.
     *
     * @throws com.fasterxml.jackson.core.JsonProcessingException if the text is not valid YAML
     */
    static List<JsonNode> readDocuments(String yaml, Set<String> verbatimKeys) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (JsonParser parser = MAPPER.createParser(yaml)) {
            while (parser.nextToken() != null) {
                documents.add(readValue(parser, verbatimKeys, false));
            }
        }
        return documents;
    }

    /** Reads the value at the parser's current token, leaving the parser on its last token. */
    private static JsonNode readValue(JsonParser parser, Set<String> verbatimKeys, boolean verbatim)
            throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                // Only top-level keys (depth 1) switch verbatim mode on; it then applies to all below.
                boolean topLevel = parser.getParsingContext().getParent().inRoot();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    parser.nextToken();
                    boolean childVerbatim = verbatim || (topLevel && verbatimKeys.contains(key));
                    object.set(key, readValue(parser, verbatimKeys, childVerbatim));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(readValue(parser, verbatimKeys, verbatim));
                }
                return array;
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            case VALUE_STRING -> {
                return NODES.textNode(parser.getText());
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                // The parser's text is the scalar as written.
                return verbatim ? NODES.textNode(parser.getText()) : typedScalar(parser, token);
            }
            default -> {
                // e.g. a !!binary scalar; kept opaque, no manifest field accepts one.
                return NODES.pojoNode(parser.getEmbeddedObject());
            }
        }
    }

    private static JsonNode typedScalar(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            // Floats are never valid outside verbatim keys, so only their type matters; Jackson
            // cannot parse YAML's .inf/.nan, which would otherwise surface as "malformed YAML".
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(specialOrParsed(parser));
            default -> throw new IllegalStateException("unexpected YAML token " + token);
        };
    }

    private static double specialOrParsed(JsonParser parser) throws IOException {
        String text = parser.getText();
        return switch (text) {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF" -> Double.POSITIVE_INFINITY;
            case "-.inf", "-.Inf", "-.INF" -> Double.NEGATIVE_INFINITY;
            case ".nan", ".NaN", ".NAN" -> Double.NaN;
            default -> parser.getDoubleValue();
        };
    }
}
