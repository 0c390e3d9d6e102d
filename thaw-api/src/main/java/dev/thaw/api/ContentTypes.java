package dev.thaw.api;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The content type a request body gets from its file's extension. */
public final class ContentTypes {
    public static final String OCTET_STREAM = "application/octet-stream";
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("json", JSON),
            Map.entry("txt", TEXT),
            Map.entry("text", TEXT),
            Map.entry("csv", "text/csv; charset=utf-8"),
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("xml", "application/xml"),
            Map.entry("yaml", "application/yaml"),
            Map.entry("yml", "application/yaml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("bin", OCTET_STREAM));

    private ContentTypes() {}

    /** By the file name's extension, case-insensitive; {@value #OCTET_STREAM} for unknown or none. */
    public static String forFile(Path file) {
        Path name = file.getFileName();
        String text = name == null ? "" : name.toString();
        int dot = text.lastIndexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            return OCTET_STREAM;
        }
        return BY_EXTENSION.getOrDefault(text.substring(dot + 1).toLowerCase(Locale.ROOT), OCTET_STREAM);
    }

    /**
     * Checks a content type given by a user: {@code type/subtype} with optional parameters, printable ASCII only
     * (it becomes an HTTP header).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String requireValid(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new IllegalArgumentException("content type is empty; expected type/subtype such as application/json");
        }
        String type = contentType.strip();
        if (type.length() > 200 || !type.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("content type '" + type
                    + "' must be at most 200 printable ASCII characters");
        }
        String essence = type.split(";", 2)[0].strip();
        if (!essence.matches("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*")) {
            throw new IllegalArgumentException("content type '" + type
                    + "' is not of the form type/subtype, such as application/json");
        }
        return type;
    }
}
