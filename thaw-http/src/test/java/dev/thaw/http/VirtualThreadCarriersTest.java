package dev.thaw.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtualThreadCarriersTest {

    @Test
    void smallHostsGetSixteenCarriersAndLargerOnesFourPerCore() {
        assertThat(VirtualThreadCarriers.forCores(1)).isEqualTo(16);
        assertThat(VirtualThreadCarriers.forCores(2)).isEqualTo(16);
        assertThat(VirtualThreadCarriers.forCores(16)).isEqualTo(64);
    }

    /**
     * In a JVM of its own, as a host of 2 cores: with CPU-bound virtual threads on more carriers
     * than the cores, another virtual thread still runs. Under the default scheduler (2 carriers)
     * the spinners would hold both and {@link Probe} would never finish.
     */
    @Test
    void aVirtualThreadRunsWhileOthersSpinOnEveryCore() throws Exception {
        Process probe = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:ActiveProcessorCount=2", "-cp", System.getProperty("java.class.path"), Probe.class.getName()))
                .redirectErrorStream(true).start();
        try {
            assertThat(probe.waitFor(120, TimeUnit.SECONDS)).as("the probe finished").isTrue();
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probe.exitValue()).as(output).isZero();
            assertThat(output).contains("carriers 16", "ran beside 4 spinning threads");
        } finally {
            probe.destroyForcibly();
        }
    }

    /** Widens, occupies twice the cores with spinning virtual threads, then runs one more. */
    static final class Probe {
        private static volatile boolean stop;

        public static void main(String[] args) throws InterruptedException {
            System.out.println("carriers " + VirtualThreadCarriers.widen());
            int spinners = 2 * Runtime.getRuntime().availableProcessors();
            CountDownLatch spinning = new CountDownLatch(spinners);
            for (int i = 0; i < spinners; i++) {
                Thread.ofVirtual().start(() -> {
                    spinning.countDown();
                    while (!stop) {
                        Thread.onSpinWait();
                    }
                });
            }
            spinning.await();
            Thread.ofVirtual().start(() -> stop = true).join();
            System.out.println("ran beside " + spinners + " spinning threads");
        }
    }
}
