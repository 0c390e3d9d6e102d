package dev.thaw.bench.soak;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads intervals as people write them: {@code 30s}, {@code 2m}, {@code 1h}, {@code 500ms}, or plain seconds. */
public final class Intervals {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,9})?)\\s*(ms|s|m|h)?");

    private Intervals() {
    }

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an interval; write e.g. 30s, 2m, 1h or 500ms");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = value * switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1000;
        };
        if (millis < 1 || millis > 24 * 3_600_000.0) {
            throw new IllegalArgumentException("interval '" + text + "' must be between 1 ms and 24 h");
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
