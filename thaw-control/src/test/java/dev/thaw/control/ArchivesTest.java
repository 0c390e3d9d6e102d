package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.functions.Archives;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {
    @TempDir
    Path dir;

    private static byte[] archive(String name, char type, String link) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            Archives.writeEntry(out, "ok.txt", '0', 0644, "fine".getBytes(StandardCharsets.UTF_8), "");
            Archives.writeEntry(out, name, type, 0644, type == '0' ? new byte[] {1} : new byte[0], link);
            out.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    @Test
    void roundTripsADirectory() throws Exception {
        Path source = Files.createDirectories(dir.resolve("src/sub"));
        Files.writeString(source.resolve("a.py"), "print(1)");
        Files.writeString(dir.resolve("src/thaw.yaml"), "name: x");
        Path target = Files.createDirectories(dir.resolve("out"));
        Archives.extractTarGz(Archives.tarGz(dir.resolve("src")), target, 1 << 20);
        assertThat(target.resolve("sub/a.py")).hasContent("print(1)");
        assertThat(target.resolve("thaw.yaml")).hasContent("name: x");
    }

    @Test
    void refusesEntriesThatEscape() throws Exception {
        Path target = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> Archives.extractTarGz(archive("../evil", '0', ""), target, 1 << 20))
                .isInstanceOf(Archives.BadArchive.class).hasMessageContaining("..");
        assertThatThrownBy(() -> Archives.extractTarGz(archive("/etc/evil", '0', ""), target, 1 << 20))
                .isInstanceOf(Archives.BadArchive.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> Archives.extractTarGz(archive("link", '2', "../../etc/passwd"), target, 1 << 20))
                .isInstanceOf(Archives.BadArchive.class).hasMessageContaining("points outside");
        assertThatThrownBy(() -> Archives.extractTarGz(archive("hard", '1', "ok.txt"), target, 1 << 20))
                .isInstanceOf(Archives.BadArchive.class).hasMessageContaining("hard link");
        assertThatThrownBy(() -> Archives.extractTarGz(archive("big", '0', ""), target, 4))
                .isInstanceOf(Archives.BadArchive.class).hasMessageContaining("expands");
        assertThatThrownBy(() -> Archives.extractTarGz("not gzip".getBytes(StandardCharsets.UTF_8), target, 100))
                .isInstanceOf(Archives.BadArchive.class);
        assertThat(dir.resolve("evil")).doesNotExist();
    }

    @Test
    void allowsLinksThatStayInside() throws Exception {
        Path target = Files.createDirectories(dir.resolve("out"));
        Archives.extractTarGz(archive("alias.txt", '2', "ok.txt"), target, 1 << 20);
        assertThat(target.resolve("alias.txt")).hasContent("fine");
    }
}
