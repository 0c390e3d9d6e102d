package dev.thaw.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** How many successful invocations started each way: warm, clone, local, remote, boot. */
public record StartCounts(long warm, long clones, long local, long remote, long boots) {

    public static final StartCounts NONE = new StartCounts(0, 0, 0, 0, 0);

    /** Every start that needed a new sandbox, i.e. all but warm ones. */
    public long cold() {
        return clones + local + remote + boots;
    }

    /** Counts by kind in a fixed order, as written to JSON and the report. */
    public Map<String, Long> byKind() {
        Map<String, Long> kinds = new LinkedHashMap<>();
        kinds.put("warm", warm);
        kinds.put("clone", clones);
        kinds.put("local", local);
        kinds.put("remote", remote);
        kinds.put("boot", boots);
        return kinds;
    }

    StartCounts plus(String kind) {
        return switch (kind) {
            case "warm" -> new StartCounts(warm + 1, clones, local, remote, boots);
            case "clone" -> new StartCounts(warm, clones + 1, local, remote, boots);
            case "local" -> new StartCounts(warm, clones, local + 1, remote, boots);
            case "remote" -> new StartCounts(warm, clones, local, remote + 1, boots);
            case "boot" -> new StartCounts(warm, clones, local, remote, boots + 1);
            default -> throw new IllegalArgumentException("unknown start kind: " + kind);
        };
    }
}
