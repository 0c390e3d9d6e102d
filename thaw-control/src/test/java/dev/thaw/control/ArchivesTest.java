package dev.thaw.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.control.functions.Archives;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {
    private static final Archives.Limits LIMITS = new Archives.Limits(1 << 20, 100);

    @TempDir
    Path dir;
    Path work;
    Path target;
    Path secret;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createDirectories(dir.resolve("work"));
        target = work.resolve("function");
        secret = Files.writeString(dir.resolve("secret.txt"), "TOPSECRET-CONTENT");
    }

    /** Refused with {@code message}; nothing in the work directory, nothing outside, the secret untouched. */
    private void assertRefused(byte[] archive, Archives.Limits limits, String message) throws IOException {
        assertThatThrownBy(() -> Archives.extractTarGz(archive, target, limits))
                .isInstanceOf(Archives.BadArchive.class).hasMessageContaining(message)
                .message().doesNotContain("TOPSECRET");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("nothing left next to the target").isEmpty();
        }
        try (Stream<Path> outside = Files.list(dir)) {
            assertThat(outside.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("work", "secret.txt");
        }
        assertThat(secret).hasContent("TOPSECRET-CONTENT");
    }

    private void assertRefused(TarFixtures archive, String message) throws IOException {
        assertRefused(archive.tarGz(), LIMITS, message);
    }

    @Test
    void roundTripsADirectoryWithLongNamesAndModes() throws Exception {
        String longName = "d".repeat(120) + "/" + "f".repeat(150) + ".py";
        Path source = dir.resolve("src");
        Files.createDirectories(source.resolve(longName).getParent());
        Files.writeString(source.resolve(longName), "print(1)");
        Files.writeString(source.resolve("thaw.yaml"), "name: x");
        Path run = Files.writeString(source.resolve("run.sh"), "#!/bin/sh");
        run.toFile().setExecutable(true, false);
        Archives.extractTarGz(Archives.tarGz(source), target, LIMITS);
        assertThat(target.resolve(longName)).hasContent("print(1)");
        assertThat(target.resolve("thaw.yaml")).hasContent("name: x");
        assertThat(Files.isExecutable(target.resolve("run.sh"))).isTrue();
        assertThat(Files.isExecutable(target.resolve("thaw.yaml"))).isFalse();
    }

    @Test
    void acceptsLinksToRegularFilesInsideInAnyOrder() throws Exception {
        byte[] archive = new TarFixtures().symlink("alias.txt", "chain.txt").symlink("chain.txt", "sub/ok.txt")
                .directory("sub").file("sub/ok.txt", "fine").symlink("sub/up.txt", "../sub/./ok.txt").tarGz();
        Archives.extractTarGz(archive, target, LIMITS);
        assertThat(target.resolve("alias.txt")).hasContent("fine");
        assertThat(target.resolve("sub/up.txt")).hasContent("fine");
        assertThat(Files.isSymbolicLink(target.resolve("alias.txt"))).isTrue();
    }

    @Test
    void refusesTheDotLinkThenDotDotEscape() throws Exception {
        // 'l' is the directory itself, so 'l/../escaped' is text inside it but really next to it;
        // the regular file 'm' would then be written through the link.
        assertRefused(new TarFixtures().symlink("l", ".").symlink("m", "l/../escaped").file("m", "pwned"),
                "'m' is a file and also a symbolic link");
        assertRefused(new TarFixtures().symlink("l", ".").symlink("m", "l/../escaped"), "which is a directory");
        assertRefused(new TarFixtures().directory("a").symlink("a/l", "..").file("a/l/x", "pwned"),
                "goes through symbolic link");
        assertThat(work.resolve("escaped")).doesNotExist();
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void refusesARegularFileOfTheSameNameAfterALink() throws Exception {
        assertRefused(new TarFixtures().file("ok.txt", "fine").symlink("alias.txt", "ok.txt").file("alias.txt",
                "overwrite"), "is a file and also a symbolic link");
        assertRefused(new TarFixtures().file("ok.txt", "fine").file("ok.txt", "again"), "appears more than once");
        assertRefused(new TarFixtures().file("ok.txt", "fine").symlink("ok.txt", "ok.txt"), "appears more than once");
    }

    @Test
    void refusesLinksThatDoNotEndAtARegularFileInside() throws Exception {
        assertRefused(new TarFixtures().symlink("thaw.yaml", "../../secret.txt"), "points outside");
        assertRefused(new TarFixtures().symlink("thaw.yaml", secret.toString()), "absolute or malformed target");
        assertRefused(new TarFixtures().directory("sub").symlink("s", "sub"), "which is a directory");
        assertRefused(new TarFixtures().symlink("a", "b").symlink("b", "a"), "loop");
        assertRefused(new TarFixtures().symlink("a", "missing.txt"), "nothing in the archive");
        assertRefused(new TarFixtures().file("ok.txt", "fine").symlink("a", "ok.txt/x"), "a path through a file");
        assertRefused(new TarFixtures().file("ok.txt", "x").symlink("d", "ok.txt").file("d/x", "y"),
                "goes through symbolic link");
    }

    @Test
    void refusesEscapingAndSpecialEntries() throws Exception {
        assertRefused(new TarFixtures().file("../evil", "x"), "contains '..'");
        assertRefused(new TarFixtures().file("a/../../evil", "x"), "contains '..'");
        assertRefused(new TarFixtures().file("/etc/evil", "x"), "absolute");
        assertRefused(new TarFixtures().file("ok.txt", "x").special("hard", TarConstants.LF_LINK, "ok.txt"),
                "hard link");
        assertRefused(new TarFixtures().special("tty", TarConstants.LF_CHR, null), "device file");
        assertRefused(new TarFixtures().special("disk", TarConstants.LF_BLK, null), "device file");
        assertRefused(new TarFixtures().special("pipe", TarConstants.LF_FIFO, null), "FIFO");
        assertRefused("not gzip".getBytes(StandardCharsets.UTF_8), LIMITS, "not a complete gzip");
    }

    @Test
    void countsHeadersAndLongNamesAgainstTheSizeLimit() throws Exception {
        // Each claims 2 GiB; 4 MiB of it arrive before the 1 MiB limit must have stopped the read.
        assertRefused(TarFixtures.hugeHeader('x', 2L << 30, 4 << 20), LIMITS, "expands to more than 1048576 bytes");
        assertRefused(TarFixtures.hugeHeader('L', 2L << 30, 4 << 20), LIMITS, "expands to more than 1048576 bytes");
        assertRefused(new TarFixtures().file("big", "x".repeat(2 << 20)), "expands to more than");
    }

    @Test
    void capsTheNumberOfEntries() throws Exception {
        TarFixtures many = new TarFixtures();
        for (int i = 0; i < 101; i++) {
            many.file("f" + i, "");
        }
        assertRefused(many, "more than 100 entries");
        // Pax headers count too: 60 long names are 120 headers.
        TarFixtures longNames = new TarFixtures();
        for (int i = 0; i < 60; i++) {
            longNames.file("n".repeat(120) + i, "");
        }
        assertRefused(longNames, "more than 100 entries");
    }

    @Test
    void verifiesEveryHeaderChecksum() throws Exception {
        byte[] tar = new TarFixtures().file("ok.txt", "fine").file("b.txt", "x").tar();
        tar[512 + 512] ^= 1; // the second entry's header
        assertRefused(TarFixtures.gzip(tar), LIMITS, "tar header 2 has a bad checksum");
        byte[] pax = new TarFixtures().file("p".repeat(150), "fine").tar();
        pax[0] ^= 1; // the pax header before the entry
        assertRefused(TarFixtures.gzip(pax), LIMITS, "tar header 1 has a bad checksum");
    }

    @Test
    void aRefusalKeepsAnExistingEmptyTargetAsItWas() throws Exception {
        Files.createDirectory(target);
        assertThatThrownBy(() -> Archives.extractTarGz(new TarFixtures().file("a", "x").file("../b", "y").tarGz(),
                target, LIMITS)).isInstanceOf(Archives.BadArchive.class);
        assertThat(target).isEmptyDirectory();
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(Files.exists(work.resolve("b"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
