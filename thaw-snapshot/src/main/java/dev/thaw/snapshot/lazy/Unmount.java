package dev.thaw.snapshot.lazy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Detaches a mount ({@code umount2(path, MNT_DETACH)}): a file system whose server died (a node
 * killed with SIGKILL) leaves a mount that answers "transport endpoint is not connected", which
 * would block the next mount at the same place. Detaching works even while files on it are in use.
 */
final class Unmount {
    private static final int MNT_DETACH = 2;
    private static final MethodHandle UMOUNT2 = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("umount2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private Unmount() {
    }

    /** True when something is mounted exactly at {@code dir} (per {@code /proc/self/mountinfo}). */
    static boolean isMountPoint(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** Detaches every mount stacked at {@code dir}; returns how many were detached. */
    static int detachAll(Path dir) throws IOException {
        int detached = 0;
        while (isMountPoint(dir) && detached < 64) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment path = arena.allocateFrom(dir.toAbsolutePath().normalize().toString());
                int rc = (int) UMOUNT2.invokeExact(path, MNT_DETACH);
                if (rc != 0) {
                    throw new IOException("cannot detach the stale mount at " + dir + " (umount2 failed)");
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("cannot detach the stale mount at " + dir + ": " + t, t);
            }
            detached++;
        }
        return detached;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
