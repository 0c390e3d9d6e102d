package dev.thaw.snapshot.workingset;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Bytes {@code [offset, offset + length)} of a snapshot file; written as {@code [offset, length]}
 * so that a pack of thousands of ranges stays small.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"offset", "length"})
public record PageRange(long offset, long length) {

    public long end() {
        return offset + length;
    }

    /** The bytes {@code a} and {@code b} (each sorted and merged) cover together: sorted, merged where they touch. */
    public static java.util.List<PageRange> union(java.util.List<PageRange> a, java.util.List<PageRange> b) {
        java.util.List<PageRange> all = new java.util.ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        all.sort(java.util.Comparator.comparingLong(PageRange::offset));
        java.util.List<PageRange> out = new java.util.ArrayList<>(all.size());
        long start = -1;
        long end = -1;
        for (PageRange range : all) {
            if (start >= 0 && range.offset() <= end) {
                end = Math.max(end, range.end());
                continue;
            }
            if (start >= 0) {
                out.add(new PageRange(start, end - start));
            }
            start = range.offset();
            end = range.end();
        }
        if (start >= 0) {
            out.add(new PageRange(start, end - start));
        }
        return out;
    }

    /** Bytes in {@code ranges} (disjoint). */
    public static long bytes(java.util.List<PageRange> ranges) {
        return ranges.stream().mapToLong(PageRange::length).sum();
    }
}
