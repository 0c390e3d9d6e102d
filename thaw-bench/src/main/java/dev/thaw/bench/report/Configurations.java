package dev.thaw.bench.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** The evaluated configurations, in the order the thesis discusses them. */
public final class Configurations {

    public static final String NO_SNAPSHOTS = "no-snapshots";
    public static final String LOCAL = "local";
    public static final String REMOTE_NOCACHE = "remote-nocache";
    public static final String REMOTE_CACHE = "remote-cache";
    public static final String REMOTE_CACHE_AWARE = "remote-cache-aware";

    public static final List<String> ALL = List.of(NO_SNAPSHOTS, LOCAL, REMOTE_NOCACHE, REMOTE_CACHE, REMOTE_CACHE_AWARE);

    private Configurations() {}

    /** {@code names} with the known configurations first in canonical order, then others by name. */
    public static List<String> order(Collection<String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(Comparator.comparingInt(Configurations::rank).thenComparing(Comparator.naturalOrder()));
        return sorted;
    }

    private static int rank(String name) {
        int index = ALL.indexOf(name);
        return index < 0 ? ALL.size() : index;
    }
}
