package dev.thaw.bench.soak;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One process's footprint at one moment of a soak; NaN where the process does not report a figure.
 *
 * @param process {@code gateway} or a node's name
 * @param children live child processes (node processes under {@code thaw up}'s gateway, QEMU under a node)
 * @param instances instances the gateway routes to, or a node runs
 * @param shmBytes bytes of files in a node's /dev/shm run directory
 */
public record ProcessSample(String process, double rssBytes, double heapBytes, double openFds, double threads,
        double children, double instances, double shmBytes) {

    /** A figure the soak report prints and tests for growth. */
    public record Metric(String label, String unit, double scale, double floor, ToDoubleFunction<ProcessSample> value) {
        /** The figure in its printed unit. */
        public double of(ProcessSample sample) {
            return value.applyAsDouble(sample) / scale;
        }
    }

    private static final double MIB = 1 << 20;

    /**
     * Each metric's floor is the least growth over a run's second half that counts, in its printed unit: a JVM's
     * resident set and heap move by tens of MiB as it sizes itself, a few threads and descriptors come and go with
     * HTTP connections.
     */
    public static final List<Metric> METRICS = List.of(
            new Metric("rss", "MiB", MIB, 32, ProcessSample::rssBytes),
            new Metric("heap", "MiB", MIB, 64, ProcessSample::heapBytes),
            new Metric("fds", "", 1, 16, ProcessSample::openFds),
            new Metric("threads", "", 1, 16, ProcessSample::threads),
            new Metric("children", "", 1, 2, ProcessSample::children),
            new Metric("instances", "", 1, 3, ProcessSample::instances),
            new Metric("shm", "MiB", MIB, 64, ProcessSample::shmBytes));
}
