package dev.thaw.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentTypesTest {
    @ParameterizedTest
    @CsvSource({
        "orders.json, application/json",
        "ORDERS.JSON, application/json",
        "notes.txt, text/plain; charset=utf-8",
        "photo.jpeg, image/jpeg",
        "photo.png, image/png",
        "blob.bin, application/octet-stream",
        "archive.tar.zst, application/octet-stream",
        "noextension, application/octet-stream",
        ".json, application/octet-stream",
        "trailing., application/octet-stream"})
    void typeFollowsTheExtension(String name, String type) {
        assertThat(ContentTypes.forFile(Path.of("dir", name))).isEqualTo(type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "text/plain; charset=utf-8", "application/vnd.thaw+json"})
    void validTypesPass(String type) {
        assertThat(ContentTypes.requireValid(" " + type + " ")).isEqualTo(type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "json", "application/", "/json", "text/plain\r\nX-Evil: 1", "a b/c"})
    void malformedTypesAreRefused(String type) {
        assertThatThrownBy(() -> ContentTypes.requireValid(type)).isInstanceOf(IllegalArgumentException.class);
    }
}
