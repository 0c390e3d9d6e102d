package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.ExternalCommand;
import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small shared library preloaded into VMMs that restore snapshots, so that QEMU's
 * {@code MADV_HUGEPAGE} advice on guest RAM is ignored (see {@code vmm-preload.c} for why:
 * with it, every page a restored guest touches reads 2 to 4 MiB of its snapshot file, which
 * makes a lazy restore fetch nearly the whole snapshot).
 *
 * <p>It is compiled from source with the host's C compiler when a driver starts, into the
 * driver's run root, so that nothing prebuilt ships with Thaw. Without a compiler restores
 * still work, only reading more of each snapshot; the driver says so once.
 */
final class VmmPreload {
    private static final Logger LOG = System.getLogger(VmmPreload.class.getName());
    static final String SOURCE = "vmm-preload.c";
    static final String LIBRARY = "vmm-preload.so";
    private static final Duration COMPILE_TIMEOUT = Duration.ofSeconds(60);

    private VmmPreload() {
    }

    /**
     * Builds the library into a new directory under {@code runRoot} (the driver deletes it when it
     * closes) and returns it, or empty (logged) when the host has no C compiler or the build fails.
     */
    static Optional<Path> build(Path runRoot) {
        Optional<Path> compiler = ExternalCommand.which("cc");
        if (compiler.isEmpty()) {
            LOG.log(Level.WARNING, "no C compiler (cc) on this host: restored VMs read their snapshot memory in"
                    + " 2-4 MiB blocks, so lazy restores fetch most of each snapshot; install gcc (scripts/install-host-deps.sh)");
            return Optional.empty();
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory(runRoot, "preload-");
            Path source = dir.resolve(SOURCE);
            try (InputStream in = VmmPreload.class.getResourceAsStream(SOURCE)) {
                if (in == null) {
                    throw new IOException(SOURCE + " is missing from the class path");
                }
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            Path built = dir.resolve(LIBRARY + ".tmp");
            ExternalCommand.runChecked(List.of(compiler.get().toString(), "-shared", "-fPIC", "-O2", "-Wall", "-Werror",
                    "-o", built.toString(), source.toString()), dir, COMPILE_TIMEOUT, Map.of());
            Path library = dir.resolve(LIBRARY);
            Files.move(built, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // the node's alone, as all of its run root; a confined VMM is granted read access when it is mounted
            Files.setPosixFilePermissions(library, PosixFilePermissions.fromString("rw-------"));
            Files.delete(source);
            return Optional.of(library);
        } catch (IOException e) {
            if (dir != null) {
                FileTrees.deleteQuietly(dir);
            }
            LOG.log(Level.WARNING, "could not build the VMM preload library, restored VMs read their snapshot memory"
                    + " in 2-4 MiB blocks: " + e.getMessage());
            return Optional.empty();
        }
    }
}
