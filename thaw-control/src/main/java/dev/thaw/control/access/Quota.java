package dev.thaw.control.access;

import dev.thaw.control.functions.FunctionSettings;
import java.util.Optional;

/**
 * A namespace's limits; a null limit is none. Counted over the functions deployed in it:
 * how many, the sum of their {@code maxInstances}, and the sum of {@code maxInstances} times
 * their memory. Checked when a function is deployed, so an invocation costs nothing more:
 * {@code maxInstances} already bounds what runs.
 */
public record Quota(Integer functions, Integer instances, Long memoryMib) {
    public static final Quota NONE = new Quota(null, null, null);

    public Quota {
        if (functions != null && functions < 0 || instances != null && instances < 0
                || memoryMib != null && memoryMib < 0) {
            throw new IllegalArgumentException("quota limits must be 0 or more (or absent for no limit), got"
                    + " functions=" + functions + ", instances=" + instances + ", memoryMib=" + memoryMib);
        }
    }

    /** What a namespace's functions reserve, counted like the quota. */
    public record Usage(int functions, long instances, long memoryMib) {
        public static final Usage ZERO = new Usage(0, 0, 0);

        public Usage plus(FunctionSettings settings, int memoryMibPerInstance) {
            return new Usage(functions + 1, instances + settings.maxInstances(),
                    memoryMib + (long) settings.maxInstances() * memoryMibPerInstance);
        }
    }

    /**
     * Which limit {@code after} breaks, as a message naming it; empty when none. A limit is only
     * enforced where {@code after} grows past {@code before}, so a redeploy that asks for no more
     * still succeeds under a quota the admin lowered meanwhile.
     */
    public Optional<String> exceeded(String namespace, Usage before, Usage after) {
        if (functions != null && after.functions() > functions && after.functions() > before.functions()) {
            return Optional.of("namespace '" + namespace + "' is at its functions quota: " + functions
                    + " function(s) at most, and this deploy would make " + after.functions());
        }
        if (instances != null && after.instances() > instances && after.instances() > before.instances()) {
            return Optional.of("namespace '" + namespace + "' is over its instances quota: its functions' maxInstances"
                    + " may add up to " + instances + ", and this deploy would make " + after.instances()
                    + "; deploy with a lower maxInstances or ask the admin to raise the quota");
        }
        if (memoryMib != null && after.memoryMib() > memoryMib && after.memoryMib() > before.memoryMib()) {
            return Optional.of("namespace '" + namespace + "' is over its memory quota: maxInstances times memory"
                    + " may add up to " + memoryMib + " MiB, and this deploy would make " + after.memoryMib()
                    + " MiB; deploy with a lower maxInstances or less memory, or ask the admin to raise the quota");
        }
        return Optional.empty();
    }
}
