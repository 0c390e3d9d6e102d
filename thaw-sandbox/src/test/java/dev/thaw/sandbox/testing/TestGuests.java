package dev.thaw.sandbox.testing;

import dev.thaw.api.ManifestException;
import dev.thaw.sandbox.BootSpec;
import dev.thaw.sandbox.image.BootSpecs;
import dev.thaw.sandbox.image.FunctionImage;
import dev.thaw.sandbox.image.FunctionImageBuilder;
import dev.thaw.sandbox.image.GuestKernel;
import dev.thaw.sandbox.image.GuestKernels;
import dev.thaw.sandbox.image.ThawHome;
import dev.thaw.sandbox.qemu.QemuMicrovmDriver;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What tests need to run real guests: a shared image cache, the guest kernel, the
 * repository's examples, and a driver whose run directory the leak check watches.
 */
public final class TestGuests {
    private static GuestKernel kernel;

    private TestGuests() {
    }

    /**
     * The image cache tests share: {@code THAW_TEST_HOME} if set (./thaw test points it
     * at the user's Thaw home, so the kernel and base root filesystems are built once
     * for demo and tests), else {@code target/thaw-home} of the module.
     */
    public static ThawHome home() {
        String env = System.getenv("THAW_TEST_HOME");
        if (env != null && !env.isBlank()) {
            return new ThawHome(Path.of(env));
        }
        return new ThawHome(Path.of(System.getProperty("basedir", "."), "target", "thaw-home"));
    }

    public static synchronized GuestKernel kernel() throws IOException {
        if (kernel == null) {
            kernel = new GuestKernels().ensure(home());
        }
        return kernel;
    }

    /** {@code examples/NAME} of the repository. */
    public static Path example(String name) {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent().resolve("examples")
                .resolve(name);
    }

    public static FunctionImage image(Path functionDir) throws IOException, ManifestException {
        return new FunctionImageBuilder().build(home(), functionDir);
    }

    public static BootSpec spec(Path functionDir) throws IOException, ManifestException {
        return BootSpecs.of(image(functionDir), kernel());
    }

    /** Where test drivers put VM sockets and memory; {@link NoLeakedVmsExtension} checks it is left empty. */
    public static Path runRoot() {
        return RUN_ROOT.resolve("run");
    }

    private static final Path RUN_ROOT = Path.of("/dev/shm", "thaw-test-" + ProcessHandle.current().pid());

    static {
        // The directory (run files, the accelerator verdict) belongs to this test JVM alone.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dev.thaw.sandbox.FileTrees.deleteQuietly(RUN_ROOT)));
    }

    public static QemuMicrovmDriver driver() throws IOException {
        GuestKernel k = kernel();
        return QemuMicrovmDriver.start(k.vmlinuz(), k.initramfs(), runRoot(), "test");
    }
}
