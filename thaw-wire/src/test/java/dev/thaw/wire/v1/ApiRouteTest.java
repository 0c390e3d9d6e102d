package dev.thaw.wire.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiRouteTest {
    @Test
    void matchesConcretePathsOfItsTemplate() {
        ApiRoute invoke = ApiRoute.post("/v1/functions/{name}/invoke");
        assertThat(invoke.matches("POST", "/v1/functions/echo/invoke")).isTrue();
        assertThat(invoke.matches("GET", "/v1/functions/echo/invoke")).isFalse();
        assertThat(invoke.matches("POST", "/v1/functions//invoke")).isFalse();
        assertThat(invoke.matches("POST", "/v1/functions/echo")).isFalse();
        assertThat(invoke.matches("POST", "/v1/functions/echo/invoke/more")).isFalse();
        assertThat(ApiRoute.get("/healthz").matches("GET", "/healthz")).isTrue();
        assertThat(invoke.segments()).containsExactly("v1", "functions", "{name}", "invoke");
    }

    @Test
    void refusesMalformedTemplates() {
        assertThatThrownBy(() -> ApiRoute.get("v1/status")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiRoute.get("/v1/status/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiRoute.get("/v1//status")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiRoute.get("/v1/{a b}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiRoute("get", "/x")).hasMessageContaining("upper case");
    }
}
