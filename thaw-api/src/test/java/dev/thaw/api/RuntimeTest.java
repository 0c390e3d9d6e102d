package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuntimeTest {

    @Test
    void looksUpById() {
        assertThat(Runtime.fromId("python3")).isSameAs(Runtime.PYTHON3);
        assertThat(Runtime.PYTHON3.id()).isEqualTo("python3");
    }

    @Test
    void unknownIdListsKnownRuntimes() {
        assertThatThrownBy(() -> Runtime.fromId("python2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown runtime 'python2'; known runtimes: python3");
    }

    @Test
    void lookupIsCaseSensitiveAndRejectsNull() {
        assertThatThrownBy(() -> Runtime.fromId("PYTHON3")).hasMessageContaining("'PYTHON3'");
        assertThatThrownBy(() -> Runtime.fromId(null)).hasMessageContaining("unknown runtime null");
    }

    @Test
    void isItsIdInJson() {
        assertThat(Json.write(Runtime.PYTHON3)).isEqualTo("\"python3\"");
        assertThat(Json.read("\"python3\"", Runtime.class)).isSameAs(Runtime.PYTHON3);
    }
}
