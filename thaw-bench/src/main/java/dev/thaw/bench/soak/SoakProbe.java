package dev.thaw.bench.soak;

import java.io.IOException;
import java.util.List;

/** Reads every process's footprint once: the gateway's and nodes' endpoints in production, a fake in tests. */
@FunctionalInterface
public interface SoakProbe {
    List<ProcessSample> sample() throws IOException, InterruptedException;
}
