package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandlerTest {

    @Test
    void parsesModuleAndFunction() {
        Handler handler = Handler.parse("main:handle");
        assertThat(handler.module()).isEqualTo("main");
        assertThat(handler.function()).isEqualTo("handle");
        assertThat(handler).hasToString("main:handle");
    }

    @Test
    void parsesDottedModule() {
        Handler handler = Handler.parse("_pkg.sub2.mod:run_it");
        assertThat(handler).isEqualTo(new Handler("_pkg.sub2.mod", "run_it"));
        assertThat(Handler.parse(handler.toString())).isEqualTo(handler);
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "main.handle", "a:b:c", ""})
    void rejectsWrongShape(String text) {
        assertThatThrownBy(() -> Handler.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid handler '" + text + "': expected the form 'module:function', e.g. 'main:handle'");
    }

    @ParameterizedTest
    @ValueSource(strings = {":handle", "a..b:f", ".a:f", "a.:f", "1main:f", "my-mod:f", "pkg/mod:f", "mo d:f"})
    void rejectsBadModule(String text) {
        assertThatThrownBy(() -> Handler.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid handler '" + text + "': handler module '")
                .hasMessageContaining("is not a dotted Python module path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"main:", "main:2fast", "main:a.b", "main:do-it"})
    void rejectsBadFunction(String text) {
        assertThatThrownBy(() -> Handler.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid handler '" + text + "': handler function '")
                .hasMessageContaining("is not a Python identifier");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Handler.parse(null)).hasMessageContaining("invalid handler null");
        assertThatThrownBy(() -> new Handler(null, "f")).hasMessageContaining("handler module null");
        assertThatThrownBy(() -> new Handler("m", null)).hasMessageContaining("handler function null");
    }

    @Test
    void isOneStringInJson() {
        Handler handler = Handler.parse("pkg.mod:fn");
        assertThat(Json.write(handler)).isEqualTo("\"pkg.mod:fn\"");
        assertThat(Json.read("\"pkg.mod:fn\"", Handler.class)).isEqualTo(handler);
    }
}
