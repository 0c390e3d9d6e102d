package dev.thaw.cli.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBuilderTest {

    @Test
    void theSameFilesGiveTheSameBytesWhateverTheirTimesAndCreationOrder(@TempDir Path dir) throws IOException {
        Path a = tree(dir.resolve("a"), List.of("z.txt", "b/c.txt", "a.txt"));
        Path b = tree(dir.resolve("b"), List.of("a.txt", "z.txt", "b/c.txt"));
        Files.setLastModifiedTime(b.resolve("a.txt"), FileTime.fromMillis(123_456_789));

        assertThat(tar(new LayerBuilder("x").tree(a, "opt", p -> true)))
                .isEqualTo(tar(new LayerBuilder("x").tree(b, "opt", p -> true)));
    }

    @Test
    void entriesAreSortedWithParentsAtEpochWithNumericOwners(@TempDir Path dir) throws IOException {
        Path root = tree(dir, List.of("z.txt", "b/c.txt"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("z.txt"));
        Files.createLink(root.resolve("hard"), root.resolve("z.txt"));

        List<TarArchiveEntry> entries = entries(tar(new LayerBuilder("x").tree(root, "opt/t", p -> !p.equals("b"))
                .file("etc/passwd", 0644, "root:x:0:0::/:/bin/false\n").directory("tmp", 01777)));

        assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly("etc/", "etc/passwd", "opt/",
                "opt/t/", "opt/t/hard", "opt/t/link", "opt/t/z.txt", "tmp/");
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.getModTime().getTime()).isZero();
            assertThat(e.getUserName()).isEmpty();
            assertThat(e.getLongUserId()).isZero();
        });
        // Of two paths to one file, the first in order carries the bytes.
        assertThat(entries.get(4).getSize()).isEqualTo(5);
        assertThat(entries.get(6).isLink()).isTrue();
        assertThat(entries.get(6).getLinkName()).isEqualTo("opt/t/hard");
        assertThat(entries.get(5).isSymbolicLink()).isTrue();
        assertThat(entries.get(7).getMode() & 07777).isEqualTo(01777);
    }

    @Test
    void pathsMustStayInsideTheImage() {
        for (String bad : List.of("", "/", "a/../../etc", "a//b", "./a")) {
            assertThatThrownBy(() -> LayerBuilder.clean(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(LayerBuilder.clean("/opt/thaw/")).isEqualTo("opt/thaw");
    }

    private static Path tree(Path root, List<String> files) throws IOException {
        for (String file : files) {
            Files.createDirectories(root.resolve(file).getParent());
            Files.writeString(root.resolve(file), "hello");
        }
        return root;
    }

    private static byte[] tar(LayerBuilder layer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        layer.writeTar(out);
        return out.toByteArray();
    }

    private static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
        List<TarArchiveEntry> entries = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.add(e);
            }
        }
        return entries;
    }
}
