package dev.thaw.snapshot.workingset;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What a node did with working sets: recorded, published, used, and refused by reason. */
public final class WorkingSetCounters {
    private final Map<WorkingSetException.Reason, AtomicLong> refused = new EnumMap<>(WorkingSetException.Reason.class);
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong prefetches = new AtomicLong();
    private final AtomicLong prefetchedBytes = new AtomicLong();
    private final AtomicLong readAheads = new AtomicLong();
    private final AtomicLong readAheadBytes = new AtomicLong();
    private final AtomicLong packsPublished = new AtomicLong();
    private final AtomicLong packsLoaded = new AtomicLong();
    private final AtomicLong packFetchedBytes = new AtomicLong();
    private final AtomicLong packReads = new AtomicLong();
    private final AtomicLong packMisses = new AtomicLong();
    private final AtomicLong packsGrown = new AtomicLong();
    private final AtomicLong packGrownBytes = new AtomicLong();

    public WorkingSetCounters() {
        for (WorkingSetException.Reason reason : WorkingSetException.Reason.values()) {
            refused.put(reason, new AtomicLong());
        }
    }

    public void refused(WorkingSetException.Reason reason) {
        refused.get(reason).incrementAndGet();
    }

    public void recorded() {
        recorded.incrementAndGet();
    }

    public void published() {
        published.incrementAndGet();
    }

    public void prefetched(WorkingSetPrefetch.Report report) {
        prefetches.incrementAndGet();
        prefetchedBytes.addAndGet(report.fetchedBytes());
    }

    public void readAhead(ReadAhead.Result result) {
        readAheads.incrementAndGet();
        readAheadBytes.addAndGet(result.bytes());
    }

    /** A page pack was published with a working set. */
    public void packPublished() {
        packsPublished.incrementAndGet();
    }

    /** A page pack of {@code storedBytes} was fetched and verified. */
    public void packLoaded(long storedBytes) {
        packsLoaded.incrementAndGet();
        packFetchedBytes.addAndGet(storedBytes);
    }

    /** A read of presented memory was served from a page pack ({@code true}) or had to go to the chunks. */
    public void packRead(boolean served) {
        (served ? packReads : packMisses).incrementAndGet();
    }

    /** A page pack was published again, grown by {@code bytes} of pages a start served from it missed. */
    public void packGrown(long bytes) {
        packsGrown.incrementAndGet();
        packGrownBytes.addAndGet(bytes);
    }

    /** The counts, under stable names: {@code refused{reason}} for each reason, then the rest. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        refused.forEach((reason, count) -> out.put("refused{" + reason.label() + "}", count.get()));
        out.put("recorded", recorded.get());
        out.put("published", published.get());
        out.put("prefetches", prefetches.get());
        out.put("prefetchedBytes", prefetchedBytes.get());
        out.put("readAheads", readAheads.get());
        out.put("readAheadBytes", readAheadBytes.get());
        out.put("packsPublished", packsPublished.get());
        out.put("packsLoaded", packsLoaded.get());
        out.put("packFetchedBytes", packFetchedBytes.get());
        out.put("packReads", packReads.get());
        out.put("packMisses", packMisses.get());
        out.put("packsGrown", packsGrown.get());
        out.put("packGrownBytes", packGrownBytes.get());
        return out;
    }

    public long refusedCount(WorkingSetException.Reason reason) {
        return refused.get(reason).get();
    }
}
