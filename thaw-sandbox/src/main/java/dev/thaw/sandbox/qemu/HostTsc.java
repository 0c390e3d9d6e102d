package dev.thaw.sandbox.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's TSC frequency, handed to TCG guests as {@code tsc_early_khz}.
 *
 * <p>Under TCG a guest reads the host's TSC, but calibrates it against the
 * emulated PIT; on a loaded host that calibration fails, the kernel then
 * calibrates its local APIC timer by waiting for timer ticks, and when one of
 * those is lost the boot spins forever in {@code calibrate_APIC_clock}. Telling
 * the guest the frequency makes it calibrate against the TSC alone.
 */
final class HostTsc {
    private static final Pattern CPU_MHZ = Pattern.compile("^cpu MHz\\s*:\\s*([0-9]+(?:\\.[0-9]+)?)\\s*$",
            Pattern.MULTILINE);
    private static final OptionalLong KHZ = read(Path.of("/proc/cpuinfo"));

    private HostTsc() {
    }

    /** The frequency in kHz, when the host says it has a constant TSC and tells its rate. */
    static OptionalLong khz() {
        return KHZ;
    }

    static OptionalLong read(Path cpuinfo) {
        try {
            return parse(Files.readString(cpuinfo));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * With {@code constant_tsc} the TSC ticks at one rate whatever the core's
     * clock; {@code tsc_known_freq} says the reported rate is that one.
     */
    static OptionalLong parse(String cpuinfo) {
        List<String> flags = cpuinfo.lines().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> List.of(l.substring(l.indexOf(':') + 1).strip().split("\\s+"))).orElse(List.of());
        if (!flags.contains("constant_tsc")) {
            return OptionalLong.empty();
        }
        Matcher mhz = CPU_MHZ.matcher(cpuinfo);
        if (!mhz.find()) {
            return OptionalLong.empty();
        }
        long khz = Math.round(Double.parseDouble(mhz.group(1)) * 1000);
        return khz > 0 ? OptionalLong.of(khz) : OptionalLong.empty();
    }
}
