package dev.thaw.bench;

import dev.thaw.api.FileDigests;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Two snapshots' guest memory compared 4 KiB page by page, to see what keeps their chunks apart.
 * A memory file's offset is the guest-physical address (guest RAM is one region from address 0), so
 * every page of the second is put in one class against the page at the same address in the first:
 *
 * @param pages pages compared (the shorter file's)
 * @param zero zero in both
 * @param same the same non-zero bytes in both
 * @param moved different at this address, but the first holds the same bytes at another address:
 *     placement differs, not content
 * @param freed zero in the second, not in the first
 * @param changed non-zero in the second and found nowhere in the first
 * @param regions pages {@code moved} or {@code changed}, by {@link #REGION_BYTES} of guest-physical
 *     address; index {@code i} covers {@code [i * REGION_BYTES, (i + 1) * REGION_BYTES)}
 */
public record PageDiff(long pages, long zero, long same, long moved, long freed, long changed, List<Long> regions) {
    public static final int PAGE_BYTES = 4096;
    /** Large enough to keep a 256 MiB guest's report to a line, small enough to tell kernel from user memory apart. */
    public static final long REGION_BYTES = 8L << 20;

    public PageDiff {
        regions = List.copyOf(regions);
    }

    /** Pages of the second snapshot a chunk store would hold apart from the first's at page granularity. */
    public long differing() {
        return moved + changed;
    }

    public static PageDiff of(Path first, Path second) throws IOException {
        try (FileChannel a = FileChannel.open(first, StandardOpenOption.READ);
                FileChannel b = FileChannel.open(second, StandardOpenOption.READ)) {
            long pages = Math.min(a.size(), b.size()) / PAGE_BYTES;
            Set<Fingerprint> firstPages = new HashSet<>();
            byte[] page = new byte[PAGE_BYTES];
            for (long i = 0; i < a.size() / PAGE_BYTES; i++) {
                read(a, i, page);
                if (!isZero(page)) {
                    firstPages.add(Fingerprint.of(page));
                }
            }
            byte[] other = new byte[PAGE_BYTES];
            long zero = 0;
            long same = 0;
            long moved = 0;
            long freed = 0;
            long changed = 0;
            long[] regions = new long[(int) ((pages * PAGE_BYTES + REGION_BYTES - 1) / REGION_BYTES)];
            for (long i = 0; i < pages; i++) {
                read(a, i, page);
                read(b, i, other);
                boolean zeroBefore = isZero(page);
                boolean zeroAfter = isZero(other);
                if (zeroBefore && zeroAfter) {
                    zero++;
                } else if (zeroAfter) {
                    freed++;
                } else if (Arrays.equals(page, other)) {
                    same++;
                } else {
                    if (firstPages.contains(Fingerprint.of(other))) {
                        moved++;
                    } else {
                        changed++;
                    }
                    regions[(int) (i * PAGE_BYTES / REGION_BYTES)]++;
                }
            }
            List<Long> byRegion = new ArrayList<>(regions.length);
            for (long r : regions) {
                byRegion.add(r);
            }
            return new PageDiff(pages, zero, same, moved, freed, changed, byRegion);
        }
    }

    /** The regions that hold differing pages, as {@code "<from>-<to> MiB: <pages>"}, address order. */
    public String describeRegions() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i) > 0) {
                long from = i * REGION_BYTES >> 20;
                out.append(out.isEmpty() ? "" : ", ").append(from).append('-').append(from + (REGION_BYTES >> 20))
                        .append(": ").append(regions.get(i));
            }
        }
        return out.isEmpty() ? "none" : out.toString();
    }

    private static void read(FileChannel in, long page, byte[] into) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, page * PAGE_BYTES + buffer.position()) < 0) {
                throw new IOException("file shrank while it was read");
            }
        }
    }

    private static boolean isZero(byte[] page) {
        return FileDigests.isZero(MemorySegment.ofArray(page), page.length);
    }

    /** A page's SHA-256, as the set of the first's pages holds it. */
    private record Fingerprint(long a, long b, long c, long d) {
        static Fingerprint of(byte[] page) {
            try {
                ByteBuffer digest = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(page));
                return new Fingerprint(digest.getLong(), digest.getLong(), digest.getLong(), digest.getLong());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }
}
