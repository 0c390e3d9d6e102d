package dev.thaw.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** RFC 4180 style CSV: a header row, then rows whose columns are found by name. */
final class Csv {
    private Csv() {
    }

    /** A data row with the line it starts on, for error messages. */
    record Row(Path file, int line, List<String> fields, Map<String, Integer> columns) {
        boolean has(String column) {
            return columns.containsKey(column.toLowerCase(Locale.ROOT));
        }

        String text(String column) {
            Integer index = columns.get(column.toLowerCase(Locale.ROOT));
            if (index == null) {
                throw error("no column " + column);
            }
            return index < fields.size() ? fields.get(index).strip() : "";
        }

        double number(String column) {
            String text = text(column);
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw error("column " + column + " is not a number: '" + text + "'");
            }
        }

        IllegalArgumentException error(String message) {
            return Csv.error(file, line, message);
        }
    }

    static IllegalArgumentException error(Path file, int line, String message) {
        return new IllegalArgumentException(file + ":" + line + ": " + message);
    }

    /** The header row's names as written. */
    static List<String> header(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> header = record(reader, new int[] {0}, file);
            if (header == null) {
                throw error(file, 1, "empty file, expected a header row");
            }
            return header;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The header's names as written, and each data row to {@code rows}. Column names match case-insensitively. */
    static List<String> read(Path file, Consumer<Row> rows) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int[] line = {0};
            List<String> header = record(reader, line, file);
            if (header == null) {
                throw error(file, 1, "empty file, expected a header row");
            }
            if (!header.isEmpty() && header.getFirst().startsWith("\uFEFF")) {
                header.set(0, header.getFirst().substring(1));
            }
            Map<String, Integer> columns = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                columns.putIfAbsent(header.get(i).strip().toLowerCase(Locale.ROOT), i);
            }
            while (true) {
                int start = line[0] + 1;
                List<String> fields = record(reader, line, file);
                if (fields == null) {
                    return header;
                }
                if (fields.size() == 1 && fields.getFirst().isBlank()) {
                    continue;
                }
                if (fields.size() > header.size()) {
                    throw error(file, start, fields.size() + " fields but the header has " + header.size());
                }
                rows.accept(new Row(file, start, fields, columns));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** One record, which may span lines inside quotes; null at the end of input. */
    private static List<String> record(BufferedReader reader, int[] line, Path file) throws IOException {
        String text = reader.readLine();
        if (text == null) {
            return null;
        }
        line[0]++;
        int start = line[0];
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (true) {
            if (i == text.length()) {
                if (!quoted) {
                    fields.add(field.toString());
                    return fields;
                }
                text = reader.readLine();
                if (text == null) {
                    throw error(file, start, "quoted field is not closed");
                }
                line[0]++;
                field.append('\n');
                i = 0;
                continue;
            }
            char c = text.charAt(i++);
            if (quoted) {
                if (c == '"' && i < text.length() && text.charAt(i) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
    }

    /** {@code value} as a CSV field, quoted when it holds a comma, quote or line break. */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
