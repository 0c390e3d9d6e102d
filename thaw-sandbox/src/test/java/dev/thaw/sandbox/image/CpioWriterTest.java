package dev.thaw.sandbox.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.sandbox.ExternalCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpioWriterTest {

    /** One parsed newc entry. */
    record Entry(String name, long ino, int mode, long nlink, long mtime, int rdevMajor, int rdevMinor, byte[] data) {}

    /** A minimal newc reader: checks magic and alignment, stops at the trailer. */
    static List<Entry> parse(byte[] archive) {
        List<Entry> entries = new ArrayList<>();
        int at = 0;
        while (true) {
            assertThat(at % 4).as("header alignment").isZero();
            String header = new String(archive, at, CpioWriter.HEADER_LENGTH, StandardCharsets.US_ASCII);
            assertThat(header).startsWith("070701");
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Long.parseLong(header.substring(6 + 8 * i, 14 + 8 * i), 16);
            }
            int nameSize = (int) f[11];
            String name = new String(archive, at + CpioWriter.HEADER_LENGTH, nameSize - 1, StandardCharsets.UTF_8);
            assertThat(archive[at + CpioWriter.HEADER_LENGTH + nameSize - 1]).as("name NUL").isZero();
            int dataStart = align(at + CpioWriter.HEADER_LENGTH + nameSize);
            int size = (int) f[6];
            byte[] data = Arrays.copyOfRange(archive, dataStart, dataStart + size);
            at = align(dataStart + size);
            if (name.equals("TRAILER!!!")) {
                assertThat(at).as("archive ends after the trailer").isEqualTo(archive.length);
                return entries;
            }
            assertThat(f[2]).as("uid").isZero();
            assertThat(f[3]).as("gid").isZero();
            assertThat(f[12]).as("check").isZero();
            entries.add(new Entry(name, f[0], (int) f[1], f[4], f[5], (int) f[9], (int) f[10], data));
        }
    }

    private static int align(int offset) {
        return (offset + 3) & ~3;
    }

    private static byte[] sample() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CpioWriter(out)
                .directory("bin", 0755)
                .directory("dev", 0755)
                .characterDevice("dev/console", 0600, 5, 1)
                .file("bin/tool", 0755, "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8))
                .file("init", 0755, new byte[] {1, 2, 3})
                .file("empty", 0644, new byte[0])
                .finish();
        return out.toByteArray();
    }

    @Test
    void writesParsableNewcEntries() throws IOException {
        List<Entry> entries = parse(sample());

        assertThat(entries).extracting(Entry::name).containsExactly("bin", "dev", "dev/console", "bin/tool", "init", "empty");
        assertThat(entries).extracting(Entry::ino).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(entries).extracting(Entry::mtime).containsOnly(0L);
        assertThat(entries.get(0).mode()).isEqualTo(CpioWriter.S_IFDIR | 0755);
        assertThat(entries.get(0).nlink()).isEqualTo(2);
        Entry console = entries.get(2);
        assertThat(console.mode()).isEqualTo(CpioWriter.S_IFCHR | 0600);
        assertThat(console.rdevMajor()).isEqualTo(5);
        assertThat(console.rdevMinor()).isEqualTo(1);
        assertThat(new String(entries.get(3).data(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(entries.get(3).mode()).isEqualTo(CpioWriter.S_IFREG | 0755);
        assertThat(entries.get(4).data()).containsExactly(1, 2, 3);
        assertThat(entries.get(5).data()).isEmpty();
        assertThat(entries.get(5).mode()).isEqualTo(CpioWriter.S_IFREG | 0644);
    }

    @Test
    void equalInputsGiveIdenticalArchives() throws IOException {
        assertThat(sample()).isEqualTo(sample());
    }

    @Test
    void hostCpioListsAndExtractsTheArchive(@TempDir Path dir) throws IOException {
        Path archive = dir.resolve("a.cpio");
        Files.write(archive, sample());

        ExternalCommand.Result list = ExternalCommand.runChecked(
                List.of("cpio", "-t", "-F", "a.cpio"), dir, Duration.ofSeconds(30), Map.of("LC_ALL", "C"));
        assertThat(list.stdout().lines()).containsExactly("bin", "dev", "dev/console", "bin/tool", "init", "empty");

        ExternalCommand.Result verbose = ExternalCommand.runChecked(
                List.of("cpio", "-tv", "-F", "a.cpio"), dir, Duration.ofSeconds(30), Map.of("LC_ALL", "C"));
        assertThat(verbose.stdout().lines().filter(l -> l.endsWith("dev/console")).findFirst().orElseThrow())
                .startsWith("crw-------").contains("5,").contains("1");

        Path out = Files.createDirectory(dir.resolve("out"));
        ExternalCommand.runChecked(List.of("cpio", "-id", "--no-absolute-filenames", "-F", "../a.cpio", "-f", "dev/console"), out, Duration.ofSeconds(30), Map.of("LC_ALL", "C"));
        assertThat(Files.readString(out.resolve("bin/tool"))).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(Files.readAllBytes(out.resolve("init"))).containsExactly(1, 2, 3);
        assertThat(Files.isExecutable(out.resolve("init"))).isTrue();
    }

    @Test
    void rejectsBadNamesDuplicatesAndOrphans() {
        CpioWriter writer = new CpioWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> writer.file("/abs", 0644, new byte[0])).hasMessageContaining("'/abs'");
        assertThatThrownBy(() -> writer.file("a/../b", 0644, new byte[0])).hasMessageContaining("'..'");
        assertThatThrownBy(() -> writer.file("TRAILER!!!", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.file("missing/child", 0644, new byte[0]))
                .hasMessageContaining("before its directory 'missing'");
        assertThatThrownBy(() -> writer.file("x", 010644, new byte[0])).hasMessageContaining("07777");
    }

    @Test
    void rejectsDuplicatesAndEntriesAfterFinish() throws IOException {
        CpioWriter writer = new CpioWriter(new ByteArrayOutputStream()).directory("bin", 0755);
        assertThatThrownBy(() -> writer.directory("bin", 0755)).hasMessageContaining("duplicate cpio entry 'bin'");
        writer.finish();
        assertThatThrownBy(() -> writer.file("late", 0644, new byte[0])).isInstanceOf(IllegalStateException.class);
    }
}
