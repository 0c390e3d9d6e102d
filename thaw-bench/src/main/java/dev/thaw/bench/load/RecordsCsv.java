package dev.thaw.bench.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Invocation records as CSV with a header row; unknown phase times are written as empty fields. */
public final class RecordsCsv {
    static final List<String> HEADER = List.of("sentAtMs", "function", "status", "start", "node", "initMs",
            "queueMs", "scheduleMs", "fetchMs", "vmMs", "guestMs", "e2eMs", "error", "lateMs", "fetchBytes", "failure");

    private RecordsCsv() {
    }

    public static void write(Path file, List<InvocationRecord> records) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(String.join(",", HEADER));
            out.write('\n');
            for (InvocationRecord r : records) {
                StringJoiner line = new StringJoiner(",");
                line.add(Long.toString(r.sentAtMs())).add(Csv.field(r.function())).add(Integer.toString(r.status()))
                        .add(Csv.field(r.start())).add(Csv.field(r.node()))
                        .add(number(r.initMs())).add(number(r.queueMs())).add(number(r.scheduleMs()))
                        .add(number(r.fetchMs())).add(number(r.vmMs())).add(number(r.guestMs()))
                        .add(number(r.e2eMs())).add(Csv.field(r.error())).add(number(r.lateMs())).add(Long.toString(r.fetchBytes()))
                        .add(r.failure().label());
                out.write(line.toString());
                out.write('\n');
            }
        }
    }

    public static List<InvocationRecord> read(Path file) {
        List<InvocationRecord> records = new ArrayList<>();
        Csv.read(file, row -> records.add(new InvocationRecord((long) row.number("sentAtMs"), row.text("function"),
                (int) row.number("status"), row.text("start"), row.text("node"), number(row, "initMs"),
                number(row, "queueMs"), number(row, "scheduleMs"), number(row, "fetchMs"), number(row, "vmMs"),
                number(row, "guestMs"), number(row, "e2eMs"), raw(row, "error"),
                // Files from before lateness was recorded have no such column.
                row.has("lateMs") ? number(row, "lateMs") : 0,
                row.has("fetchBytes") ? (long) row.number("fetchBytes") : 0,
                // Without the column the class is derived from status and error.
                row.has("failure") ? FailureClass.fromLabel(row.text("failure")) : null)));
        return records;
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : Double.toString(value);
    }

    private static double number(Csv.Row row, String column) {
        return row.text(column).isEmpty() ? Double.NaN : row.number(column);
    }

    /** The error text unstripped, so that it round-trips exactly. */
    private static String raw(Csv.Row row, String column) {
        if (!row.has(column)) {
            throw row.error("no column " + column);
        }
        int index = row.columns().get(column.toLowerCase(java.util.Locale.ROOT));
        return index < row.fields().size() ? row.fields().get(index) : "";
    }
}
