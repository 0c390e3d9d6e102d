package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.functions.FunctionSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The gateway's cap on requests in flight, and the bounds on its settings. */
class GatewayGuardsTest {
    @Test
    void pastTheInFlightCapTheGatewayAnswers503AtOnceAndRecovers() throws Exception {
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), GatewayTest.USER,
                GatewayTest.NODE).withMaxInFlight(3).withLivenessTimeout(Duration.ofSeconds(30))
                .withHome(new dev.thaw.sandbox.image.ThawHome(Path.of("target", "unused-home")));
        try (Gateway gateway = Gateway.start(config);
                TestNode node = TestNode.join("node-a", gateway.url(), GatewayTest.NODE).awaitJoined(gateway);
                HttpClient http = HttpClient.newHttpClient()) {
            node.driver.holdInvocations(); // a backend that does not answer while the test floods the gateway
            gateway.deployer().deploy(GatewayTest.ECHO, "digest", new FunctionSettings(1, 3, 60_000, 100, 120_000));
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                slow.add(http.sendAsync(invoke(gateway.url()), HttpResponse.BodyHandlers.ofString()));
            }
            await(() -> node.driver.invocationsInFlight() == 3);

            List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                flood.add(http.sendAsync(invoke(gateway.url()), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : flood) {
                HttpResponse<String> response = f.get();
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.body()).contains("\"error\":\"overloaded\"");
                assertThat(response.headers().firstValue("Retry-After")).contains("1");
            }
            assertThat(node.driver.invocationsInFlight()).as("none of the flood reached the node").isEqualTo(3);
            assertThat(node.driver.invocations()).isEqualTo(3);

            node.driver.releaseInvocations();
            slow.forEach(f -> f.cancel(true));
            http.close();
            // The cancelled requests free their places once the node answers them; the gateway serves again.
            try (HttpClient again = HttpClient.newHttpClient()) {
                await(() -> {
                    try {
                        return again.send(HttpRequest.newBuilder(gateway.url().resolve("healthz")).build(),
                                HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                    } catch (java.io.IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
    }

    /** Polls {@code condition} for up to a minute. */
    private static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    private static HttpRequest invoke(URI gateway) {
        return HttpRequest.newBuilder(gateway.resolve("v1/functions/echo/invoke"))
                .header("Authorization", "Bearer " + GatewayTest.USER).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build();
    }

    @Test
    void settingsOutOfRangeNameTheSettingAndTheRange() {
        assertThatThrownBy(() -> GatewayServer.settingsFromQuery("keepAliveMs=999999999999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepAliveMs must be 0..86400000");
        assertThatThrownBy(() -> GatewayServer.settingsFromQuery("queueTimeoutMs=99999999"))
                .hasMessageContaining("queueTimeoutMs must be 0..900000");
        assertThatThrownBy(() -> GatewayServer.settingsFromQuery("queueSize=2000000"))
                .hasMessageContaining("queueSize must be 0..1000000");
        assertThatThrownBy(() -> GatewayServer.settingsFromQuery("concurrency=5000"))
                .hasMessageContaining("concurrency must be 1..1000");
        GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", 0), "a", "b");
        assertThatThrownBy(() -> config.withMaxInFlight(0)).hasMessageContaining("from 1 to 1000000, got 0");
        assertThatThrownBy(() -> config.withBodyLimit(2L << 30)).hasMessageContaining("from 1 byte to 1024 MiB");
        assertThatThrownBy(() -> config.withLivenessTimeout(Duration.ofDays(1)))
                .hasMessageContaining("from 1 ms to 600000 ms");
        assertThat(config.allowHostPaths()).as("host paths are off unless asked for").isFalse();
    }
}
