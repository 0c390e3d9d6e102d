package dev.thaw.wire.v1;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One route an API serves: an HTTP method and a path template whose variable segments are named in braces,
 * as OpenAPI writes them ({@code /v1/functions/{name}/invoke}).
 */
public record ApiRoute(String method, String pathTemplate) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+|\\{[A-Za-z][A-Za-z0-9]*\\}");

    public ApiRoute {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathTemplate, "pathTemplate");
        if (!method.equals(method.toUpperCase(Locale.ROOT)) || method.isBlank()) {
            throw new IllegalArgumentException("method must be upper case, got '" + method + "'");
        }
        if (!pathTemplate.startsWith("/") || pathTemplate.length() > 1 && pathTemplate.endsWith("/")) {
            throw new IllegalArgumentException("path template must start and not end with '/': " + pathTemplate);
        }
        for (String segment : segments(pathTemplate)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("bad segment '" + segment + "' in " + pathTemplate);
            }
        }
    }

    public static ApiRoute get(String pathTemplate) {
        return new ApiRoute("GET", pathTemplate);
    }

    public static ApiRoute post(String pathTemplate) {
        return new ApiRoute("POST", pathTemplate);
    }

    public static ApiRoute put(String pathTemplate) {
        return new ApiRoute("PUT", pathTemplate);
    }

    public static ApiRoute delete(String pathTemplate) {
        return new ApiRoute("DELETE", pathTemplate);
    }

    /** The template's segments, without the leading empty one. */
    public List<String> segments() {
        return segments(pathTemplate);
    }

    /** Whether {@code path} (decoded, without query) fits this template, any value standing for a variable. */
    public boolean matches(String method, String path) {
        if (!this.method.equals(method)) {
            return false;
        }
        List<String> template = segments();
        List<String> actual = segments(path);
        if (template.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            boolean variable = t.startsWith("{");
            if (variable ? actual.get(i).isEmpty() : !t.equals(actual.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> segments(String path) {
        return path.equals("/") ? List.of() : List.of(path.substring(1).split("/", -1));
    }

    @Override
    public String toString() {
        return method + " " + pathTemplate;
    }
}
