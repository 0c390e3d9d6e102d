package dev.thaw.k8s.extender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.api.Json;
import dev.thaw.control.extender.InMemoryCacheView;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.wire.v1.ApiRoute;
import dev.thaw.wire.v1.extender.ExtenderApi;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code thaw extender} over real HTTP serves every route {@link ExtenderApi#ROUTES} lists, and nothing else. */
class ExtenderRoutesTest {
    @Test
    void everyListedRouteIsServedAndNothingElse() throws Exception {
        try (ExtenderServer server = ExtenderServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new InMemoryCacheView(), SchedulerPolicy.SNAPSHOT_AWARE, () -> true);
                HttpClient http = HttpClient.newHttpClient()) {
            for (ApiRoute route : ExtenderApi.ROUTES) {
                HttpResponse<String> response = send(http, server, route.method(), route.pathTemplate(),
                        "{\"pod\": {}, \"nodenames\": []}");
                assertThat(response.statusCode()).as(route + ": " + response.body()).isEqualTo(200);
            }
            for (String[] unlisted : new String[][] {{"GET", "/other"}, {"POST", "/filter/more"}}) {
                assertThat(ExtenderApi.ROUTES).noneMatch(r -> r.matches(unlisted[0], unlisted[1]));
                HttpResponse<String> response = send(http, server, unlisted[0], unlisted[1], null);
                assertThat(response.statusCode()).as(String.join(" ", unlisted)).isEqualTo(404);
                assertThat(Json.mapper().readTree(response.body()).path("error").asText()).isEqualTo("not_found");
            }
        }
    }

    private static HttpResponse<String> send(HttpClient http, ExtenderServer server, String method, String path,
            String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.url().resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
