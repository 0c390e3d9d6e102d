package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "default", "team-a", "0ops", "a1-b2"})
    void namespacesAreDnsLabels(String namespace) {
        assertThat(FunctionId.isNamespace(namespace)).isTrue();
        assertThat(new FunctionId(namespace, "echo").namespace()).isEqualTo(namespace);
        assertThat(FunctionId.isNamespace("x".repeat(63))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Team", "team_a", "-a", "a-", "a.b", "a/b", "..", "ü"})
    void anythingElseIsRefusedQuotingItAndTheRule(String namespace) {
        assertThat(FunctionId.isNamespace(namespace)).isFalse();
        assertThatThrownBy(() -> new FunctionId(namespace, "echo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid namespace '" + namespace + "'").hasMessageContaining("DNS label");
        assertThat(FunctionId.isNamespace("x".repeat(64))).isFalse();
        assertThat(FunctionId.isNamespace(null)).isFalse();
    }

    @Test
    void keysAreTheBareNameInDefaultAndNamespaceDotNameElsewhere() {
        FunctionId plain = FunctionId.ofDefault("echo");
        FunctionId tenant = new FunctionId("team-a", "echo");
        assertThat(plain.key()).isEqualTo("echo");
        assertThat(tenant.key()).isEqualTo("team-a.echo");
        assertThat(tenant.toString()).isEqualTo("team-a/echo");
        assertThat(FunctionId.ofKey("echo")).isEqualTo(plain);
        assertThat(FunctionId.ofKey("team-a.echo")).isEqualTo(tenant);
        // A name holds '_' but never '.', a namespace neither: a key is never ambiguous.
        assertThat(FunctionId.ofKey("a-b.c_d")).isEqualTo(new FunctionId("a-b", "c_d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default.echo", "../etc", ".echo", "team.", "team.a.b", "Team.echo", "team/echo", ""})
    void malformedKeysAreRefused(String key) {
        assertThat(FunctionId.isKey(key)).isFalse();
        assertThatThrownBy(() -> FunctionId.requireKey(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid");
    }
}
