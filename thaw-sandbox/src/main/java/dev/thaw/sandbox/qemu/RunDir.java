package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The host directory of one VMM process: its sockets, logs and (for a booting
 * VM) its memory file. Short paths on purpose: a Unix socket path may not be
 * longer than 107 bytes.
 */
record RunDir(String id, Path dir) {


    /**
     * Creates the directory, readable by its owner only, and fails if it exists: guest memory
     * and sockets are never shared with another VM or another user.
     */
    static RunDir create(Path root, String id) throws IOException {
        Path dir = root.resolve(id);
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_DIRECTORY));
        return new RunDir(id, dir);
    }

    /** Creates QEMU's output log, empty and readable by its owner only; fails if it exists. */
    Path createQemuLog() throws IOException {
        return Files.createFile(qemuLog(), PosixFilePermissions.asFileAttribute(FileTrees.OWNER_ONLY_FILE));
    }

    Path qmpSocket() {
        return dir.resolve("qmp.sock");
    }

    Path agentSocket() {
        return dir.resolve("agent.sock");
    }

    Path incomingSocket() {
        return dir.resolve("in.sock");
    }

    Path outgoingSocket() {
        return dir.resolve("out.sock");
    }

    Path consoleLog() {
        return dir.resolve("console.log");
    }

    Path qemuLog() {
        return dir.resolve("qemu.log");
    }

    Path bootMemory() {
        return dir.resolve("mem");
    }

    /** The last lines of the guest console and QEMU's own output, for error messages. */
    String diagnostics() {
        return tail(qemuLog(), 5) + tail(consoleLog(), 10);
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            var all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            var last = all.subList(Math.max(0, all.size() - lines), all.size());
            return last.isEmpty() ? "" : "\n  " + file.getFileName() + ": " + String.join("\n  ", last);
        } catch (IOException e) {
            return "";
        }
    }

    void delete() {
        FileTrees.deleteQuietly(dir);
    }
}
