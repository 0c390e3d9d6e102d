package dev.thaw.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A whole response: status, headers (names lower-cased), body. */
public record Response(int status, Map<String, List<String>> headers, byte[] body) {
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
