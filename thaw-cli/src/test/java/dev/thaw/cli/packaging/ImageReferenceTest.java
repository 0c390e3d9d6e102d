package dev.thaw.cli.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    @Test
    void parsesRegistryNameAndTag() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/team/thaw:0.1.0");

        assertThat(ref).isEqualTo(new ImageReference("127.0.0.1:5000", "team/thaw", "0.1.0"));
        assertThat(ref.withNameSuffix("-node").toString()).isEqualTo("127.0.0.1:5000/team/thaw-node:0.1.0");
        assertThat(ref.isLoopback()).isTrue();
        assertThat(ImageReference.parse("registry.example/thaw:1").isLoopback()).isFalse();
        assertThat(ImageReference.parse("localhost/thaw:1").isLoopback()).isTrue();
    }

    @Test
    void refusesWhatIsNotRegistryNameTag() {
        for (String bad : List.of("thaw:1", "thaw/thaw:1", "registry.example/thaw", "registry.example/Thaw:1",
                "registry.example/thaw:1:2", "registry.example/thaw@sha256:ab", "registry.example/thaw:-x")) {
            assertThatThrownBy(() -> ImageReference.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'");
        }
    }

    @Test
    void credentialsComeInPairs() {
        assertThat(Registry.Credentials.fromEnvironment(Map.of())).isEmpty();
        assertThat(Registry.Credentials.fromEnvironment(Map.of(Registry.USERNAME_ENV, "u", Registry.PASSWORD_ENV, "p")))
                .contains(new Registry.Credentials("u", "p"));
        assertThatThrownBy(() -> Registry.Credentials.fromEnvironment(Map.of(Registry.USERNAME_ENV, "u")))
                .hasMessageContaining(Registry.PASSWORD_ENV);
        assertThat(new Registry.Credentials("u", "secret").toString()).doesNotContain("secret");
    }
}
