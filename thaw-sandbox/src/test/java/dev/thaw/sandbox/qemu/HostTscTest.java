package dev.thaw.sandbox.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostTscTest {
    private static final String CPU = "processor\t: 0\ncpu MHz\t\t: 2599.998\n";

    @Test
    void constantTscRateComesFromCpuMhz() {
        assertThat(HostTsc.parse(CPU + "flags\t\t: fpu tsc constant_tsc nonstop_tsc\n")).hasValue(2_599_998);
    }

    @Test
    void aTscThatFollowsTheCoreClockGivesNoRate() {
        assertThat(HostTsc.parse(CPU + "flags\t\t: fpu tsc\n")).isEmpty();
    }

    @Test
    void missingOrGarbledFieldsGiveNoRate() {
        assertThat(HostTsc.parse("flags\t\t: constant_tsc\n")).isEmpty();
        assertThat(HostTsc.parse("")).isEmpty();
        assertThat(HostTsc.parse("cpu MHz\t\t: fast\nflags\t\t: constant_tsc\n")).isEmpty();
    }

    @Test
    void thisHostsCpuinfoParses() {
        // Whatever the host, reading it never throws; a constant-TSC host gives a plausible rate.
        HostTsc.khz().ifPresent(khz -> assertThat(khz).isBetween(100_000L, 10_000_000L));
    }
}
