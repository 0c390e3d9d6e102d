package dev.thaw.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The one JSON configuration Thaw uses everywhere, so that every component reads what another
 * wrote.
 *
 * <ul>
 *   <li>Records map by their component names, unchanged (camelCase, no snake_case).
 *   <li>Unknown properties are an error; so is {@code null} for a primitive, which (for record
 *       components) includes a primitive component missing from the JSON.
 *   <li>Duplicate keys in an object are an error.
 *   <li>{@code java.time} values ({@link java.time.Instant}, {@link java.time.Duration}) are ISO-8601
 *       strings, e.g. {@code "2025-01-31T12:00:00Z"}, {@code "PT30S"}.
 *   <li>Output is compact (one line); pretty-print with {@code mapper().writerWithDefaultPrettyPrinter()}.
 * </ul>
 */
public final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    /**
     * The shared mapper. It is thread-safe but mutable: do not reconfigure it; derive an
     * {@code ObjectReader}/{@code ObjectWriter} or a {@code copy()} for variations.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Serializes {@code value} as compact JSON.
     *
     * @throws UncheckedIOException if Jackson cannot serialize it
     */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + typeName(value) + " as JSON: " + describe(e), e);
        }
    }

    /**
     * Parses {@code json} as a {@code type}.
     *
     * @throws UncheckedIOException if the text is malformed or does not fit {@code type}; the
     *     cause is Jackson's exception, which carries the location
     */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot read JSON as " + type.getSimpleName() + ": " + describe(e), e);
        }
    }

    /**
     * Jackson's message without its source excerpt, plus where the problem is: the property path
     * for a mapping problem, e.g. {@code "Cannot map `null` into type `int` (at count)"}, else the
     * line and column.
     */
    static String describe(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping) {
            String path = path(mapping.getPath());
            return e.getOriginalMessage() + (path.isEmpty() ? "" : " (at " + path + ")");
        }
        JsonLocation at = e.getLocation();
        return e.getOriginalMessage() + (at == null ? "" : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String typeName(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
