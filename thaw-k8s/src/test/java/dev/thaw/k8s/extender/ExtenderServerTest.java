package dev.thaw.k8s.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.extender.InMemoryCacheView;
import dev.thaw.control.extender.NodeCacheState;
import dev.thaw.control.scheduling.SchedulerPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExtenderServerTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static final String ARGS = """
            {"pod": {"metadata": {"name": "hello-1", "namespace": "functions", "uid": "u1",
                                  "labels": {"thaw.dev/function": "hello", "thaw.dev/revision": "3"}},
                     "spec": {"containers": [{"name": "function", "image": "ghcr.io/thaw/hello:3",
                                              "resources": {"requests": {"memory": "128Mi"}}}]},
                     "status": {"phase": "Pending"}},
             "nodenames": ["busy", "holder", "idle"]}""";

    @Test
    void servesFilterPrioritizeAndHealthOverHttp() throws Exception {
        InMemoryCacheView view = new InMemoryCacheView();
        view.put("busy", new NodeCacheState(Set.of(), 0, 8192, 0, 8));
        view.put("holder", new NodeCacheState(Set.of("hello/3"), 8192, 8192, 8, 8));
        AtomicBoolean ready = new AtomicBoolean(false);
        try (ExtenderServer server = ExtenderServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                view, SchedulerPolicy.SNAPSHOT_AWARE, ready::get)) {
            assertThat(get(server, "healthz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(server, "healthz").statusCode()).isEqualTo(200);

            HttpResponse<String> filter = post(server, "filter", ARGS);
            assertThat(filter.statusCode()).isEqualTo(200);
            assertThat(filter.body()).isEqualTo("{\"nodenames\":[\"holder\",\"idle\"],\"failedNodes\":{\"busy\":"
                    + "\"thaw: no free function slot (8 of 8 in use)\"},\"failedAndUnresolvableNodes\":{}}");

            HttpResponse<String> prioritize = post(server, "prioritize", ARGS);
            assertThat(prioritize.body()).isEqualTo("[{\"host\":\"busy\",\"score\":0},{\"host\":\"holder\",\"score\":10},"
                    + "{\"host\":\"idle\",\"score\":6}]");
        }
    }

    @Test
    void optionsParseListenAndPolicy() {
        ExtenderOptions options = ExtenderOptions.parse("--listen=127.0.0.1:9999", "--policy=spread");
        assertThat(options.listen().getPort()).isEqualTo(9999);
        assertThat(options.policy()).isEqualTo(SchedulerPolicy.SPREAD);
        assertThat(ExtenderOptions.parse().listen().getPort()).isEqualTo(8888);
        assertThatThrownBy(() -> ExtenderOptions.parse("--listen=nowhere")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> ExtenderOptions.parse("--port=1")).hasMessageContaining("usage");
    }

    private static HttpResponse<String> get(ExtenderServer server, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(server.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(ExtenderServer server, String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(server.url().resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
