package dev.thaw.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.wire.v1.node.ProcessStats;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSamplerTest {
    @Test
    void residentMemoryComesFromProcStatus() {
        assertThat(ProcessSampler.vmRss("Name:\tjava\nVmRSS:\t  2048 kB\nThreads:\t9\n")).isEqualTo(2048 * 1024);
        assertThat(ProcessSampler.vmRss("Name:\tjava\n")).isEqualTo(-1);
    }

    @Test
    void samplesThisProcessAndItsRunDirectory(@TempDir Path shm) throws Exception {
        Files.write(shm.resolve("mem"), new byte[1000]);
        Files.createDirectories(shm.resolve("vm"));
        Files.write(shm.resolve("vm/log"), new byte[24]);
        ProcessStats stats = ProcessSampler.sample(shm);
        assertThat(stats.rssBytes()).isGreaterThan(1 << 20);
        assertThat(stats.heapUsedBytes()).isPositive();
        assertThat(stats.openFds()).isPositive();
        assertThat(stats.threads()).isPositive();
        assertThat(stats.childProcesses()).isGreaterThanOrEqualTo(0);
        assertThat(stats.shmBytes()).isEqualTo(1024);
        assertThat(ProcessSampler.sample(shm.resolve("gone")).shmBytes()).isZero();
        assertThat(ProcessSampler.sample(null).shmBytes()).isEqualTo(-1);
    }
}
