package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The host directory of one VMM process: its sockets and (for a booting VM) its memory file. A
 * confined VMM is chrooted into it, so it is also all of the file system that VMM sees. Short paths
 * on purpose: a Unix socket path may not be longer than 107 bytes.
 */
record RunDir(String id, Path dir) {

    /**
     * Creates the directory, readable by its owner only, and fails if it exists: guest memory
     * and sockets are never shared with another VM or another user.
     */
    static RunDir create(Path root, String id) throws IOException {
        Path dir = root.resolve(id);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_DIRECTORY));
        Files.createDirectory(dir.resolve("s"), PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_DIRECTORY));
        return new RunDir(id, dir);
    }

    /** Where QEMU creates its sockets: the only directory a confined VMM may write. */
    Path socketDir() {
        return dir.resolve("s");
    }

    Path qmpSocket() {
        return socketDir().resolve("qmp.sock");
    }

    Path agentSocket() {
        return socketDir().resolve("agent.sock");
    }

    Path consoleSocket() {
        return socketDir().resolve("console.sock");
    }

    Path incomingSocket() {
        return socketDir().resolve("in.sock");
    }

    Path outgoingSocket() {
        return socketDir().resolve("out.sock");
    }

    Path bootMemory() {
        return dir.resolve("mem");
    }

    /** How QEMU names {@code file} of this directory: from its root when chrooted here, else as the host does. */
    String qemuPath(Path file, boolean chrooted) {
        if (!chrooted) {
            return file.toString();
        }
        if (!file.startsWith(dir)) {
            throw new IllegalArgumentException(file + " is outside the run directory " + dir);
        }
        return "/" + dir.relativize(file);
    }

    void delete() {
        FileTrees.deleteQuietly(dir);
    }
}
