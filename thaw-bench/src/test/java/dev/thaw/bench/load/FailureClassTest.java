package dev.thaw.bench.load;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureClassTest {
    @ParameterizedTest
    @CsvSource({
        "200, , NONE",
        "204, , NONE",
        "500, handler_error, FUNCTION_ERROR",
        "504, timeout, FUNCTION_ERROR",
        "429, queue_full, REJECTED",
        "503, queue_timeout, REJECTED",
        "429, , REJECTED",
        "502, node_failed, PLATFORM_ERROR",
        "500, start_failed, PLATFORM_ERROR",
        "500, invoke_failed, PLATFORM_ERROR",
        "503, no_nodes, PLATFORM_ERROR",
        "503, shutting_down, PLATFORM_ERROR",
        "500, internal, PLATFORM_ERROR",
        "500, , PLATFORM_ERROR",
        "404, unknown_function, CLIENT_ERROR",
        "413, too_large, CLIENT_ERROR",
        "401, unauthorized, CLIENT_ERROR",
        "400, handler_error, CLIENT_ERROR"})
    void answersAreClassedByStatusAndErrorCode(int status, String code, FailureClass expected) {
        assertThat(FailureClass.ofAnswer(status, code)).isEqualTo(expected);
        String body = code == null ? "" : "{\"error\":\"" + code + "\",\"message\":\"m\"}";
        assertThat(FailureClass.ofAnswer(status, body.getBytes(UTF_8))).isEqualTo(expected);
    }

    @Test
    void aHandlersOwnNonJsonAnswerIsNotMistakenForACode() {
        assertThat(FailureClass.ofAnswer(500, "not json".getBytes(UTF_8))).isEqualTo(FailureClass.PLATFORM_ERROR);
        assertThat(FailureClass.ofAnswer(500, "{\"error\": 7}".getBytes(UTF_8))).isEqualTo(FailureClass.PLATFORM_ERROR);
    }

    @Test
    void callsWithoutAnswerAreTheCallersWhenNothingWasReached() {
        assertThat(FailureClass.ofException(new ConnectException("Connection refused")))
                .isEqualTo(FailureClass.CLIENT_ERROR);
        assertThat(FailureClass.ofException(new IOException("wrapped", new ConnectException("refused"))))
                .isEqualTo(FailureClass.CLIENT_ERROR);
        assertThat(FailureClass.ofException(new HttpTimeoutException("request timed out")))
                .isEqualTo(FailureClass.PLATFORM_ERROR);
        assertThat(FailureClass.ofException(new IOException("HTTP/1.1 header parser received no bytes")))
                .isEqualTo(FailureClass.PLATFORM_ERROR);
    }

    @Test
    void labelsRoundTrip() {
        for (FailureClass c : FailureClass.values()) {
            assertThat(FailureClass.fromLabel(c.label())).isEqualTo(c);
        }
        assertThat(FailureClass.FUNCTION_ERROR.label()).isEqualTo("function_error");
        assertThatThrownBy(() -> FailureClass.fromLabel("oops")).hasMessageContaining("unknown failure class 'oops'");
    }

    @Test
    void recordsWithoutAClassDeriveItFromStatusAndErrorText() {
        assertThat(record(200, "").failure()).isEqualTo(FailureClass.NONE);
        assertThat(record(500, "HTTP 500: {\"error\":\"handler_error\",\"message\":\"JSONDecodeError...").failure())
                .isEqualTo(FailureClass.FUNCTION_ERROR);
        assertThat(record(503, "HTTP 503: {\"error\":\"queue_timeout\"}").failure()).isEqualTo(FailureClass.REJECTED);
        assertThat(record(503, "HTTP 503: {\"error\":\"no_nodes\"}").failure())
                .isEqualTo(FailureClass.PLATFORM_ERROR);
        assertThat(record(0, "ConnectException: refused").failure()).isEqualTo(FailureClass.CLIENT_ERROR);
        assertThat(record(0, "HttpTimeoutException: request timed out").failure())
                .isEqualTo(FailureClass.PLATFORM_ERROR);
        // A class that contradicts the status is not believed.
        InvocationRecord contradictory = new InvocationRecord(0, "f", 500, null, null, 1, 1, 1, 1, 1, 1, 1,
                "HTTP 500", 0, 0, FailureClass.NONE);
        assertThat(contradictory.failure()).isEqualTo(FailureClass.PLATFORM_ERROR);
    }

    @Test
    void csvKeepsTheClassAndOldFilesWithoutTheColumnStillRead(@TempDir Path dir) throws Exception {
        List<InvocationRecord> records = List.of(
                new InvocationRecord(1, "f", 200, "warm", "n", 1, 0, 0, 0, 0, 1, 2, "", 0, 0, FailureClass.NONE),
                new InvocationRecord(2, "f", 500, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, 3, "HTTP 500: {\"error\":\"handler_error\"}", 0, 0,
                        FailureClass.FUNCTION_ERROR),
                new InvocationRecord(3, "f", 0, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN, 3, "ConnectException: refused", 0, 0, FailureClass.CLIENT_ERROR));
        Path csv = dir.resolve("r.csv");
        RecordsCsv.write(csv, records);
        assertThat(Files.readAllLines(csv).getFirst()).endsWith(",failure");
        assertThat(RecordsCsv.read(csv)).isEqualTo(records);

        Path old = dir.resolve("old.csv");
        Files.writeString(old, """
                sentAtMs,function,status,start,node,initMs,queueMs,scheduleMs,fetchMs,vmMs,guestMs,e2eMs,error
                5,json-transform,500,-,-,,,,,,,9,"HTTP 500: {""error"":""handler_error"",""message"":""x""}"
                """);
        assertThat(RecordsCsv.read(old).getFirst().failure()).isEqualTo(FailureClass.FUNCTION_ERROR);
    }

    @Test
    void summaryCountsClassesAndOnlyPlatformErrorsFailTheRunUnlessStrict() {
        List<InvocationRecord> records = List.of(record(200, ""), record(200, ""),
                record(500, "HTTP 500: {\"error\":\"handler_error\"}"), record(429, "HTTP 429: {\"error\":\"queue_full\"}"));
        LoadSummary summary = LoadSummary.of(records);
        assertThat(summary.count(FailureClass.NONE)).isEqualTo(2);
        assertThat(summary.count(FailureClass.FUNCTION_ERROR)).isEqualTo(1);
        assertThat(summary.count(FailureClass.REJECTED)).isEqualTo(1);
        assertThat(summary.failures()).isEqualTo(2);
        assertThat(summary.exitStatus(false)).isZero();
        assertThat(summary.exitStatus(true)).isEqualTo(1);
        assertThat(summary.text()).contains("function_error", "first function_error: f: HTTP 500");
        LoadSummary broken = LoadSummary.of(List.of(record(502, "HTTP 502: {\"error\":\"node_failed\"}")));
        assertThat(broken.exitStatus(false)).isEqualTo(1);
        assertThat(LoadSummary.of(List.of(record(200, ""))).exitStatus(true)).isZero();
    }

    private static InvocationRecord record(int status, String error) {
        return new InvocationRecord(0, "f", status, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, 1, error);
    }
}
