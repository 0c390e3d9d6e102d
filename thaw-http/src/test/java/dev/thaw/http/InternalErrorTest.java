package dev.thaw.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A 500 carries a code and a reference; the detail goes to the server's log under that reference only. */
class InternalErrorTest {
    @Test
    void theExceptionTextStaysInTheLog() throws Exception {
        String name = ErrorMapper.class.getName();
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(name).addHandler(capture);
        Server server = Server.start(ServerOptions.of("127.0.0.1", 0, 1024), new ErrorMapper(),
                routes -> routes.open("GET", "/x", (request, response) -> {
                    throw new IllegalStateException("cannot open /srv/secret/credentials with key AKIA-SECRET");
                }));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).doesNotContain("SECRET", "/srv", "IllegalState");
            Matcher m = Pattern.compile("\\{\"error\":\"internal\",\"message\":\"internal error, reference ([0-9a-f]+)\"}")
                    .matcher(response.body());
            assertThat(m.matches()).as(response.body()).isTrue();
            assertThat(records).anySatisfy(r -> {
                assertThat(r.getMessage()).contains("reference " + m.group(1));
                assertThat(r.getThrown()).hasMessageContaining("AKIA-SECRET");
            });
        } finally {
            server.close();
            Logger.getLogger(name).removeHandler(capture);
        }
    }
}
