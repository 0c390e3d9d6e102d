package dev.thaw.sandbox.qemu;

import dev.thaw.sandbox.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The host directory of one VMM process: its sockets, logs and (for a booting
 * VM) its memory file. Short paths on purpose: a Unix socket path may not be
 * longer than 107 bytes.
 */
record RunDir(String id, Path dir) {

    static RunDir create(Path root, String id) throws IOException {
        Path dir = root.resolve(id);
        Files.createDirectories(dir);
        return new RunDir(id, dir);
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
