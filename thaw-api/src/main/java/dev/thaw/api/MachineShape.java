package dev.thaw.api;

/**
 * The size of the microVM a function runs in.
 *
 * <p>Contract: {@code memoryMib} in [{@value #MIN_MEMORY_MIB}, {@value #MAX_MEMORY_MIB}],
 * {@code vcpus} in [{@value #MIN_VCPUS}, {@value #MAX_VCPUS}].
 */
public record MachineShape(int memoryMib, int vcpus) {

    public static final int MIN_MEMORY_MIB = 64;
    public static final int MAX_MEMORY_MIB = 16384;
    public static final int MIN_VCPUS = 1;
    public static final int MAX_VCPUS = 16;

    /** 256 MiB, one vCPU: what a function gets when its manifest does not say. */
    public static final MachineShape DEFAULT = new MachineShape(256, 1);

    /** @throws IllegalArgumentException if a value is out of range */
    public MachineShape {
        if (memoryMib < MIN_MEMORY_MIB || memoryMib > MAX_MEMORY_MIB) {
            throw new IllegalArgumentException("memoryMib must be between " + MIN_MEMORY_MIB + " and "
                    + MAX_MEMORY_MIB + " MiB, got " + memoryMib);
        }
        if (vcpus < MIN_VCPUS || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException(
                    "vcpus must be between " + MIN_VCPUS + " and " + MAX_VCPUS + ", got " + vcpus);
        }
    }
}
