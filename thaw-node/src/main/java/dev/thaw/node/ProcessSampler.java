package dev.thaw.node;

import dev.thaw.wire.v1.node.ProcessStats;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;

/** Samples a Thaw process's own footprint for {@link ProcessStats}. A figure that cannot be read is -1. */
public final class ProcessSampler {

    /** Bounds the walk of a run directory: a node has a handful of files per instance. */
    private static final int MAX_SHM_FILES = 100_000;
    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final Path PROC_FDS = Path.of("/proc/self/fd");

    private ProcessSampler() {
    }

    /** Samples this process now; {@code shmDir} null when the process keeps nothing on /dev/shm. */
    public static ProcessStats sample(Path shmDir) {
        return new ProcessStats(residentBytes(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                count(PROC_FDS), ManagementFactory.getThreadMXBean().getThreadCount(),
                ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                shmDir == null ? -1 : bytesUnder(shmDir));
    }

    /** VmRSS from /proc/self/status, in bytes. */
    static long residentBytes() {
        try (InputStream in = Files.newInputStream(PROC_STATUS)) {
            String text = new String(in.readNBytes(64 << 10), StandardCharsets.US_ASCII);
            return vmRss(text);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long vmRss(String procStatus) {
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).strip().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
            }
        }
        return -1;
    }

    private static long count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.limit(10_000_000).count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Total size of the regular files under {@code dir} (0 when it does not exist). */
    static long bytesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long total = 0;
        int seen = 0;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Iterator<Path> it = files.iterator(); it.hasNext() && seen < MAX_SHM_FILES; seen++) {
                Path p = it.next();
                try {
                    if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        total += Files.size(p);
                    }
                } catch (IOException e) {
                    // removed while walking: an instance stopped
                }
            }
        } catch (IOException | RuntimeException e) {
            return total;
        }
        return total;
    }
}
