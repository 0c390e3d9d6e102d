package dev.thaw.control.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.wire.v1.extender.ExtenderArgs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import dev.thaw.http.ErrorMapper;
import dev.thaw.http.Server;
import dev.thaw.http.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The handler mounted under a prefix, as the gateway mounts it, spoken to over HTTP. */
class ExtenderHandlerTest {
    private static Server server;
    private static URI base;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        InMemoryCacheView view = new InMemoryCacheView();
        view.put("holder", new NodeCacheState(Set.of("hello/3"), 8192, 8192, 8, 8));
        view.put("full", new NodeCacheState(Set.of(), 8192, 8192, 0, 8));
        ExtenderHandler handler = new ExtenderHandler(new Extender(view, SchedulerPolicy.SNAPSHOT_AWARE), 1 << 20);
        server = Server.start(ServerOptions.of("127.0.0.1", 0, 64L << 20), new ErrorMapper(),
                routes -> handler.routes(routes, "/extender", null));
        base = URI.create("http://127.0.0.1:" + server.port() + "/extender/");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void filterAndPrioritizeAnswerKubeSchedulerJson() throws Exception {
        List<String> nodes = List.of("full", "holder", "unknown");
        HttpResponse<String> filter = post("filter", KubeSchedulerPayloads.withNodes(KubeSchedulerPayloads.THAW_POD, nodes));
        assertThat(filter.statusCode()).isEqualTo(200);
        assertThat(filter.headers().firstValue("Content-Type")).contains("application/json");
        JsonNode result = Json.mapper().readTree(filter.body());
        assertThat(result.path("nodes").path("items")).hasSize(2);
        assertThat(result.path("failedNodes").has("full")).isTrue();

        HttpResponse<String> prioritize = post("prioritize",
                KubeSchedulerPayloads.withNames(KubeSchedulerPayloads.THAW_POD, nodes));
        assertThat(prioritize.statusCode()).isEqualTo(200);
        assertThat(prioritize.body()).isEqualTo(
                "[{\"host\":\"full\",\"score\":0},{\"host\":\"holder\",\"score\":10},{\"host\":\"unknown\",\"score\":6}]");
    }

    @Test
    void malformedRequestsGetSafeAnswers() throws Exception {
        HttpResponse<String> filter = post("filter", "{\"pod\": {\"metadata\": ");
        assertThat(filter.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(filter.body()).path("error").asText())
                .startsWith("ExtenderArgs is not valid JSON");
        HttpResponse<String> prioritize = post("prioritize", "{\"nodenames\": [\"a\"]}");
        assertThat(prioritize.statusCode()).isEqualTo(200);
        assertThat(prioritize.body()).isEqualTo("[]");
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        assertThat(post("bind", "{}").statusCode()).isEqualTo(404);
        HttpResponse<String> get = CLIENT.send(HttpRequest.newBuilder(base.resolve("filter")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(post("filter", "x".repeat(2 << 20)).statusCode()).isEqualTo(413);
    }
}
