package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.thaw.api.Json;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.wire.v1.ApiRoute;
import dev.thaw.wire.v1.gateway.GatewayApi;
import dev.thaw.wire.v1.gateway.JoinRequest;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway over real HTTP serves every route {@link GatewayApi#ROUTES} lists, and nothing else. */
class GatewayRoutesTest {
    private static final String USER = "user-token";
    private static final String JOIN = "join-token";

    private final HttpClient http = HttpClient.newHttpClient();
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = Gateway.start(GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), USER, JOIN)
                .withHome(new ThawHome(Path.of("target", "unused-home"))));
    }

    @AfterEach
    void stop() {
        gateway.close();
        http.close();
    }

    @Test
    void everyListedRouteIsServed() throws Exception {
        String nodeToken = NodeTokens.issue("n1");
        assertThat(send("POST", "/v1/join", JOIN, Json.write(new JoinRequest("n1", nodeToken))).statusCode())
                .isEqualTo(201);
        for (ApiRoute route : GatewayApi.ROUTES) {
            String path = route.pathTemplate().replace("{name}", "echo").replace("{node}", "n1")
                    .replace("{namespace}", "default").replace("{id}", "0123456789abcdef");
            assertThat(route.matches(route.method(), path)).isTrue();
            String token = route.equals(GatewayApi.JOIN) ? JOIN
                    : route.equals(GatewayApi.REGISTER) || route.equals(GatewayApi.HEARTBEAT) ? nodeToken : USER;
            HttpResponse<String> response = send(route.method(), path, token, "{}");
            assertThat(response.statusCode()).as(route + ": " + response.body()).isNotEqualTo(405);
            assertThat(errorCode(response)).as(route + ": " + response.body()).isNotEqualTo("not_found");
        }
    }

    @Test
    void anUnlistedRouteGetsTheGatewaysNotFoundOrMethodNotAllowed() throws Exception {
        for (String[] unlisted : new String[][] {{"GET", "/v1/nothing"}, {"PATCH", "/v1/functions"},
                {"GET", "/v1/join"}, {"GET", "/v1/functions/echo/invoke"}, {"GET", "/extender/other"}}) {
            assertThat(GatewayApi.ROUTES).noneMatch(r -> r.matches(unlisted[0], unlisted[1]));
            // A listed path asked with another method is 405 (with Allow); anything else is 404.
            boolean knownPath = GatewayApi.ROUTES.stream().anyMatch(r -> r.matches(r.method(), unlisted[1]));
            HttpResponse<String> response = send(unlisted[0], unlisted[1], USER, null);
            assertThat(response.statusCode()).as(String.join(" ", unlisted)).isEqualTo(knownPath ? 405 : 404);
            assertThat(errorCode(response)).as(String.join(" ", unlisted))
                    .isEqualTo(knownPath ? "method_not_allowed" : "not_found");
        }
    }

    private static String errorCode(HttpResponse<String> response) throws Exception {
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            return "";
        }
        JsonNode body = Json.mapper().readTree(response.body());
        return body.isObject() ? body.path("error").asText("") : "";
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.url().resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        b.header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
