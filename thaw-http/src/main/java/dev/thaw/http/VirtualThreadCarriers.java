package dev.thaw.http;

/**
 * Sizes the JVM's virtual-thread scheduler for Thaw's processes. Their requests run on virtual
 * threads, and some of that work is CPU-bound for seconds: hashing a fresh 256 MiB snapshot,
 * compressing chunks for peers, decoding and verifying chunks for a guest's page faults. A
 * CPU-bound virtual thread keeps its carrier until it is done, and the default scheduler has one
 * carrier per core, so on a small host a few such requests would leave none for health checks,
 * metrics, heartbeats and peers. More carriers than cores let the kernel share the cores among
 * them instead. The JVM reads the setting once, when the first virtual thread starts, so
 * {@link #widen} must run first thing in {@code main}; a value given on the command line wins.
 */
public final class VirtualThreadCarriers {
    /** The scheduler's property, as documented for {@code java.lang.Thread}. */
    public static final String PROPERTY = "jdk.virtualThreadScheduler.parallelism";
    /** Carriers per core, and the least number of carriers on any host. */
    static final int PER_CORE = 4;
    static final int AT_LEAST = 16;

    private VirtualThreadCarriers() {
    }

    /** Sets {@link #PROPERTY} to {@link #forCores} of this host unless it is set already; returns the value in force. */
    public static String widen() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(forCores(Runtime.getRuntime().availableProcessors())));
        }
        return System.getProperty(PROPERTY);
    }

    /** The carriers for a host of {@code cores} cores. */
    static int forCores(int cores) {
        return Math.max(AT_LEAST, PER_CORE * Math.max(1, cores));
    }
}
