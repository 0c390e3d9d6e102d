package dev.thaw.wire.v1.node;

/**
 * A Thaw process's own footprint, for telling a steady process from a leaking one in long runs: resident memory,
 * Java heap in use, open file descriptors, threads, live child processes (QEMU on a node) and the bytes of files
 * under its {@code /dev/shm} run directory. A figure that cannot be read is -1.
 */
public record ProcessStats(long rssBytes, long heapUsedBytes, long openFds, int threads, long childProcesses,
        long shmBytes) {
}
