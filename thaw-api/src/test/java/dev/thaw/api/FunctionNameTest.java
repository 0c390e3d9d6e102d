package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "hello", "hello-world", "img_resize2", "x-1_y"})
    void acceptsPlainIdentifiers(String name) {
        assertThat(FunctionName.requireValid(name)).isEqualTo(name);
        assertThat(FunctionName.isValid(name)).isTrue();
    }

    @Test
    void acceptsUpTo63Characters() {
        String longest = "a".repeat(63);
        assertThat(FunctionName.requireValid(longest)).isEqualTo(longest);
        assertThat(FunctionName.isValid(longest + "a")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "..", "../etc", "a b", "Hello", "helloWorld", "", "1abc", "-abc", "_abc", "a.b", "héllo"})
    void rejectsAnythingElseQuotingTheNameAndTheRule(String name) {
        assertThat(FunctionName.isValid(name)).isFalse();
        assertThatThrownBy(() -> FunctionName.requireValid(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid function name '" + name + "': ")
                .hasMessageContaining("must start with a lower-case letter")
                .hasMessageContaining("'_' or '-'");
    }

    @Test
    void rejectsTooLong() {
        String tooLong = "a".repeat(64);
        assertThatThrownBy(() -> FunctionName.requireValid(tooLong)).hasMessageContaining("'" + tooLong + "'")
                .hasMessageContaining("at most 62");
    }

    @Test
    void rejectsNull() {
        assertThat(FunctionName.isValid(null)).isFalse();
        assertThatThrownBy(() -> FunctionName.requireValid(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("function name is missing (null)");
    }
}
