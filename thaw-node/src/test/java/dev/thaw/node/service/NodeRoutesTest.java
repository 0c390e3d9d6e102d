package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.wire.v1.ApiRoute;
import dev.thaw.wire.v1.node.NodeApi;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node over real HTTP serves every route {@link NodeApi#ROUTES} lists, and nothing else. Nothing is deployed,
 * so most routes answer an error of their own (unknown deployment, bad request); none is "no such route".
 */
class NodeRoutesTest {
    @TempDir
    Path work;

    @Test
    void everyListedRouteIsServedAndNothingElse() throws Exception {
        try (NodeServer server = NodeFixtures.node(NodeFixtures.config("node-r", work));
                HttpClient http = HttpClient.newHttpClient()) {
            for (ApiRoute route : NodeApi.ROUTES) {
                String path = route.pathTemplate().replace("{function}", "echo").replace("{revision}", "r1")
                        .replace("{id}", "node-r-i1").replace("{digest}", "0".repeat(64));
                String body = route.equals(NodeApi.INVOKE) ? "x" : "{}";
                HttpResponse<String> response = send(http, server, route.method(), path, body);
                assertThat(response.statusCode()).as(route + ": " + response.body()).isNotEqualTo(405);
                assertThat(errorCode(response)).as(route + ": " + response.body()).isNotEqualTo("not_found");
            }
            for (String[] unlisted : new String[][] {{"GET", "/v1/nothing"}, {"GET", "/v1/instances/i/invoke/x"},
                    {"POST", "/v1/deployments/echo"}, {"GET", "/openapi.yaml"}}) {
                assertThat(NodeApi.ROUTES).noneMatch(r -> r.matches(unlisted[0], unlisted[1]));
                HttpResponse<String> response = send(http, server, unlisted[0], unlisted[1], null);
                assertThat(response.statusCode()).as(String.join(" ", unlisted)).isEqualTo(404);
                assertThat(errorCode(response)).as(String.join(" ", unlisted)).isEqualTo("not_found");
            }
            // A listed path with another method: the node says which method it takes.
            HttpResponse<String> wrongMethod = send(http, server, "GET", "/v1/instances", null);
            assertThat(wrongMethod.statusCode()).isEqualTo(405);
            assertThat(errorCode(wrongMethod)).isEqualTo("method_not_allowed");
        }
    }

    private static String errorCode(HttpResponse<String> response) throws Exception {
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return "";
        }
        JsonNode body = Json.mapper().readTree(response.body());
        return body.isObject() ? body.path("error").asText("") : "";
    }

    private static HttpResponse<String> send(HttpClient http, NodeServer server, String method, String path,
            String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.url().resolve(path)).method(method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + NodeFixtures.TOKEN).header("Content-Type", "application/json")
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
