package dev.thaw.snapshot.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoreKeysTest {

    @Test
    void buildsPrefixes() {
        assertThat(StoreKeys.snapshotPrefix("hello", "rev-1.2_a")).isEqualTo("snapshots/hello/rev-1.2_a/");
        assertThat(StoreKeys.imagePrefix("abc123")).isEqualTo("images/abc123/");
        assertThat(StoreKeys.functionPrefix("hello")).isEqualTo("snapshots/hello/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/b", "a\\b", "", ".hidden", "a..b", "x\0y", "-x"})
    void rejectsPathLikeRevisionsAndDigests(String bad) {
        assertThatThrownBy(() -> StoreKeys.snapshotPrefix("hello", bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("revision");
        assertThatThrownBy(() -> StoreKeys.imagePrefix(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image digest");
    }

    @Test
    void rejectsBadFunctionNamesAndNamesTheValue() {
        assertThatThrownBy(() -> StoreKeys.snapshotPrefix("../etc", "r1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid function name '../etc'");
        assertThatThrownBy(() -> StoreKeys.snapshotPrefix("hello", "a/b"))
                .hasMessageContaining("invalid revision 'a/b'");
        assertThatThrownBy(() -> StoreKeys.snapshotPrefix("hello", null))
                .hasMessageContaining("revision is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/abs", "a//b", "a/../b", "./a", "a/", "a\\b", "..", "a/."})
    void rejectsKeysThatAreNotPlainRelativePaths(String bad) {
        assertThatThrownBy(() -> StoreKeys.requireKey(bad)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsPlainKeysAndPrefixes() {
        assertThat(StoreKeys.requireKey("snapshots/hello/r1/mem.zst")).isEqualTo("snapshots/hello/r1/mem.zst");
        assertThat(StoreKeys.requirePrefix("")).isEmpty();
        assertThat(StoreKeys.requirePrefix("snapshots/")).isEqualTo("snapshots/");
        assertThatThrownBy(() -> StoreKeys.requirePrefix("../")).isInstanceOf(IllegalArgumentException.class);
    }
}
