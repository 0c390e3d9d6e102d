package dev.thaw.cli;

import dev.thaw.api.ManifestException;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.FileTrees;
import dev.thaw.sandbox.image.BootSpecs;
import dev.thaw.sandbox.image.FunctionImage;
import dev.thaw.sandbox.image.FunctionImageBuilder;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.GuestKernels;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the one-machine commands share: the Thaw home (kernel, bases, images),
 * and a QEMU driver whose run directory on tmpfs belongs to this process and is
 * removed when it closes.
 */
final class Workbench implements AutoCloseable {
    private final ThawHome home;
    private final Path runDir = Path.of("/dev/shm", "thaw", "cli-" + ProcessHandle.current().pid());
    private GuestKernel kernel;
    private QemuMicrovmDriver driver;
    private QemuMicrovmDriver unconfinedDriver;
    private final List<Path> scratchDirs = new CopyOnWriteArrayList<>();

    Workbench() {
        this(ThawHome.fromEnvironment());
    }

    Workbench(ThawHome home) {
        this.home = home;
    }

    ThawHome home() {
        return home;
    }

    GuestKernel kernel() throws IOException {
        if (kernel == null) {
            kernel = new GuestKernels().ensure(home);
        }
        return kernel;
    }

    FunctionImage image(Path functionDir) throws IOException, ManifestException {
        if (!Files.isDirectory(functionDir)) {
            throw new IOException("function directory " + functionDir + " does not exist");
        }
        return new FunctionImageBuilder().build(home, functionDir.toAbsolutePath());
    }

    BootSpec spec(FunctionImage image) throws IOException {
        return BootSpecs.of(image, kernel());
    }

    QemuMicrovmDriver driver() throws IOException {
        if (driver == null) {
            driver = QemuMicrovmDriver.start(kernel().vmlinuz(), kernel().initramfs(), runDir.resolve("run"),
                    hostname());
        }
        return driver;
    }

    /** A second driver whose VMMs are not confined, to measure what confinement costs. */
    QemuMicrovmDriver unconfinedDriver() throws IOException {
        if (unconfinedDriver == null) {
            unconfinedDriver = QemuMicrovmDriver.start(kernel().vmlinuz(), kernel().initramfs(),
                    runDir.resolve("run-unconfined"), hostname(),
                    new QemuMicrovmDriver.Options(false, QemuMicrovmDriver.Options.DEFAULT.consoleCap()));
        }
        return unconfinedDriver;
    }

    /**
     * A scratch directory of this command's (snapshots, a cluster's store and node directories),
     * removed on close. It is named for this process, so the stale-entry sweep that other Thaw
     * processes run in the home's {@code tmp/} (node processes this command starts among them)
     * leaves it alone while this process lives.
     */
    Path scratch(String name) throws IOException {
        Path dir = home.newTempDir(name);
        scratchDirs.add(dir);
        return dir;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/etc/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.close();
        }
        if (unconfinedDriver != null) {
            unconfinedDriver.close();
        }
        FileTrees.deleteQuietly(runDir);
        scratchDirs.forEach(FileTrees::deleteQuietly);
    }
}
