package dev.thaw.sandbox.image;

import dev.thaw.sandbox.FileTrees;
import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads the real Debian cloud kernel (about 27 MB) into a fresh home. */
class GuestKernelsTest {

    @Test
    void fetchesKernelBuildsInitramfsAndThenOnlyReads(@TempDir Path dir) throws IOException {
        ThawHome home = new ThawHome(dir);
        GuestKernels kernels = new GuestKernels();

        long started = System.nanoTime();
        GuestKernel kernel = kernels.ensure(home);
        System.out.println("TIMING kernel download+unpack+initramfs: " + TestHomes.millisSince(started) + " ms");

        assertThat(kernel.version()).matches("\\d+\\.\\d+\\.\\d+-\\d+-cloud-amd64");
        assertThat(kernel.vmlinuz()).isRegularFile().startsWith(home.kernels());
        assertThat(Files.size(kernel.vmlinuz())).isGreaterThan(1_000_000);
        assertThat(kernel.initramfs()).isRegularFile();
        assertThat(kernel.digest()).isEqualTo(Hashing.sha256Hex(kernel.vmlinuz(), kernel.initramfs()));
        assertThat(home.kernels().resolve(GuestKernels.CURRENT)).hasContent(kernel.version());
        try (var leftovers = Files.list(home.tmp())) {
            assertThat(leftovers).as("work directories are removed").isEmpty();
        }

        byte[] archive = Files.readAllBytes(kernel.initramfs());
        List<CpioWriterTest.Entry> entries = CpioWriterTest.parse(archive);
        assertThat(entries).extracting(CpioWriterTest.Entry::name).containsExactly(
                "bin", "dev", "modules", "dev/console", "bin/busybox", "init",
                "modules/virtio_ring.ko", "modules/virtio.ko", "modules/virtio_mmio.ko",
                "modules/virtio_blk.ko", "modules/overlay.ko", "modules/order");
        assertThat(new String(entries.getLast().data(), StandardCharsets.US_ASCII))
                .isEqualTo("virtio_ring\nvirtio\nvirtio_mmio\nvirtio_blk\noverlay\n");
        assertThat(entries.get(4).data()).isEqualTo(Files.readAllBytes(StaticBusybox.DEFAULT));
        assertThat(entries.get(4).mode()).isEqualTo(CpioWriter.S_IFREG | 0755);
        assertThat(entries.get(5).data()).isEqualTo(GuestResources.read(GuestResources.INIT));
        assertThat(entries.get(5).mode()).isEqualTo(CpioWriter.S_IFREG | 0755);
        assertThat(entries.get(3).mode()).isEqualTo(CpioWriter.S_IFCHR | 0600);
        for (CpioWriterTest.Entry module : entries.subList(6, 11)) {
            assertThat(module.data()).as(module.name()).startsWith(0x7f, 'E', 'L', 'F');
        }

        ExternalCommand.Result listing = ExternalCommand.runChecked(List.of("cpio", "-t", "-F",
                kernel.initramfs().toString()), null, Duration.ofSeconds(30), Map.of("LC_ALL", "C"));
        assertThat(listing.stdout().lines()).contains("init", "bin/busybox", "dev/console", "modules/order");

        started = System.nanoTime();
        GuestKernel again = kernels.ensure(home);
        long secondMillis = TestHomes.millisSince(started);
        System.out.println("TIMING second GuestKernels.ensure: " + secondMillis + " ms");
        assertThat(again).isEqualTo(kernel);
        assertThat(secondMillis).isLessThan(1_000);

        // A lost initramfs is rebuilt from the kept package, identically.
        FileTrees.deleteTree(kernel.initramfs().getParent());
        started = System.nanoTime();
        GuestKernel rebuilt = kernels.ensure(home);
        System.out.println("TIMING initramfs rebuild from cached package: " + TestHomes.millisSince(started) + " ms");
        assertThat(rebuilt).isEqualTo(kernel);
    }

    @Test
    void initramfsKeyChangesWithInit() {
        String key = GuestKernels.initramfsKey("6.1.0-56-cloud-amd64", "#!/bin/busybox sh\n".getBytes(StandardCharsets.UTF_8));
        assertThat(key).hasSize(16).isEqualTo(GuestKernels.initramfsKey("6.1.0-56-cloud-amd64",
                "#!/bin/busybox sh\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(GuestKernels.initramfsKey("6.1.0-56-cloud-amd64", "#!/bin/busybox sh\n# v2\n".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(key);
        assertThat(GuestKernels.initramfsKey("6.1.0-57-cloud-amd64", "#!/bin/busybox sh\n".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(key);
    }

    @Test
    void findsModulesByFileNameAndNamesMissingOnes(@TempDir Path dir) throws IOException {
        Path kernel = dir.resolve("lib/modules/9.9.9-1-cloud-amd64/kernel");
        Files.createDirectories(kernel.resolve("somewhere/else"));
        Files.createDirectories(kernel.resolve("fs"));
        Files.writeString(kernel.resolve("somewhere/else/virtio.ko"), "a");
        Files.writeString(kernel.resolve("fs/overlay.ko.xz"), "b");

        assertThat(DebianKernelPackage.modules(dir, "9.9.9-1-cloud-amd64", List.of("virtio")))
                .containsExactly(kernel.resolve("somewhere/else/virtio.ko"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> DebianKernelPackage.modules(dir, "9.9.9-1-cloud-amd64", List.of("virtio", "overlay")))
                .hasMessageContaining("no module overlay.ko")
                .hasMessageContaining("compressed");
    }
}
