package dev.thaw.sandbox.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticBusyboxTest {

    @Test
    void acceptsTheHostsStaticBusybox() throws IOException {
        assertThat(StaticBusybox.read(StaticBusybox.DEFAULT)).hasSizeGreaterThan(100_000);
    }

    @Test
    void rejectsADynamicExecutableWithInstallAdvice() {
        assertThatThrownBy(() -> StaticBusybox.read(Path.of("/bin/sh")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("dynamically linked")
                .hasMessageContaining("busybox-static");
    }

    @Test
    void missingOrNonElfFilesGetInstallAdvice(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> StaticBusybox.read(dir.resolve("busybox")))
                .hasMessageContaining("not found")
                .hasMessageContaining("apt-get install busybox-static");
        Path script = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        assertThatThrownBy(() -> StaticBusybox.read(script)).hasMessageContaining("not a 64-bit ELF");
    }
}
